/**
 * The client benchmark (issue 6): smtp-client against Nodemailer, both sending to one Postfix
 * `smtp-sink` on 127.0.0.1, in one run:
 *
 * (a) 5,000 messages of 4 KiB over one connection;
 * (b) 5,000 messages of 4 KiB through a pool of 8 connections;
 * (m) peak RSS above the baseline while smtp-client sends one 100 MiB message streamed from a
 *     generator (its own process, `client-memory.ts`).
 *
 * For (a) and (b): one warm-up run of each side, then rounds of one timed run per side, the side
 * that goes first alternating from round to round; the figure is the median of the rounds, in
 * messages per second of wall time (the peer is another process, so CPU time alone would hide
 * the client's latency). Every run checks that every message was accepted.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { benchMessage, type ClientLoad, type ClientSide } from "./client-load.js";
import { nodemailerSide } from "./client-nodemailer.js";
import { smtpClientSide } from "./client-smtpkit.js";
import { median } from "./harness.js";
import type { Target } from "./report.js";
import { startServer } from "./server-peers.js";

export interface ClientBenchOptions {
  /** Rounds per case (the issue asks for medians of 3). */
  readonly rounds: number;
  /** Messages per timed run (the issue: 5,000). */
  readonly messages: number;
  /** Octets of the large message (the issue: 100 MiB). */
  readonly largeOctets: number;
  readonly log: (text: string) => void;
}

export interface ClientRateRow {
  readonly id: "client-one-connection" | "client-pool";
  readonly benchmark: string;
  readonly unit: "messages/s";
  readonly smtpClient: { readonly median: number; readonly rounds: readonly number[] };
  readonly nodemailer: { readonly median: number; readonly rounds: readonly number[] };
  /** smtp-client median / Nodemailer median. */
  readonly ratio: number;
  /**
   * CPU milliseconds of the bench process per message (median of the rounds): what each client
   * costs, much less disturbed by other jobs than wall time. Includes the bench's own loop.
   */
  readonly cpuMsPerMessage: { readonly "smtp-client": number; readonly nodemailer: number };
  readonly targets: readonly Target[];
  readonly pass: boolean;
}

export interface ClientMemoryRow {
  readonly id: "client-large-message-memory";
  readonly benchmark: string;
  readonly octets: number;
  readonly baselineMiB: number;
  /** Highest sampled RSS minus the baseline. */
  readonly sampledAboveMiB: number;
  /** VmHWM (after a reset) minus the baseline, when the kernel allows the reset. */
  readonly kernelAboveMiB?: number;
  readonly samples: number;
  readonly seconds: number;
  readonly targets: readonly Target[];
  readonly pass: boolean;
}

export interface ClientReport {
  readonly rounds: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly rates: readonly ClientRateRow[];
  readonly memory: ClientMemoryRow;
}

const MIB = 1024 * 1024;
/** The figures: medians of 3 rounds, 5,000 messages per run, one 100 MiB message. */
export const CLIENT_ROUNDS = 3;
export const CLIENT_MESSAGES = 5000;
export const LARGE_MESSAGE_OCTETS = 100 * MIB;
const MESSAGE_OCTETS = 4096;
const WARMUP_MESSAGES = 500;
const RATIO_TARGET = 2;
const MEMORY_TARGET_MIB = 64;
const MEMORY_TIMEOUT_MS = 300_000;
const FROM = "sender@client.bench.test";
const TO = "rcpt@bench.test";

const here = path.dirname(fileURLToPath(import.meta.url));

/** One timed run: messages per second of wall time, and CPU milliseconds of this process per message. */
async function timed(side: ClientSide, load: ClientLoad): Promise<{ rate: number; cpuMs: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await side.run(load);
  const used = process.cpuUsage(cpu);
  return { rate: load.messages / ((performance.now() - start) / 1000), cpuMs: (used.user + used.system) / 1000 / load.messages };
}

interface Measured {
  readonly rates: Record<ClientSide["name"], number[]>;
  readonly cpuMs: Record<ClientSide["name"], number[]>;
}

async function measure(
  what: string,
  port: number,
  connections: number,
  options: ClientBenchOptions,
): Promise<Measured> {
  const message = benchMessage(MESSAGE_OCTETS);
  const load: ClientLoad = { port, connections, messages: options.messages, message, from: FROM, to: TO };
  const sides = [smtpClientSide, nodemailerSide];
  for (const side of sides) await side.run({ ...load, messages: WARMUP_MESSAGES });
  const rates: Record<ClientSide["name"], number[]> = { "smtp-client": [], nodemailer: [] };
  const cpuMs: Record<ClientSide["name"], number[]> = { "smtp-client": [], nodemailer: [] };
  for (let round = 0; round < options.rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const t = await timed(side, load);
      rates[side.name].push(t.rate);
      cpuMs[side.name].push(t.cpuMs);
      options.log(
        `  ${what}, round ${round + 1}, ${side.name}: ${Math.round(t.rate).toLocaleString("en-US")} messages/s, ${t.cpuMs.toFixed(3)} ms CPU per message`,
      );
    }
  }
  return { rates, cpuMs };
}

function rateRow(id: ClientRateRow["id"], benchmark: string, { rates, cpuMs }: Measured, peer: string): ClientRateRow {
  const smtpClient = { median: median(rates["smtp-client"]), rounds: rates["smtp-client"] };
  const nodemailer = { median: median(rates.nodemailer), rounds: rates.nodemailer };
  const ratio = smtpClient.median / nodemailer.median;
  const targets = [{ description: `>= ${RATIO_TARGET}x ${peer}`, met: ratio >= RATIO_TARGET }];
  const cpuMsPerMessage = { "smtp-client": median(cpuMs["smtp-client"]), nodemailer: median(cpuMs.nodemailer) };
  return { id, benchmark, unit: "messages/s", smtpClient, nodemailer, ratio, cpuMsPerMessage, targets, pass: targets.every((t) => t.met) };
}

interface MemoryChildResult {
  readonly baselineRss: number;
  readonly peakRssSampled: number;
  readonly peakRssKernel?: number;
  readonly samples: number;
  readonly seconds: number;
  readonly octets: number;
}

/** Run `client-memory.js` against the sink and read its one JSON line. */
async function largeMessageMemory(port: number, octets: number): Promise<MemoryChildResult> {
  const child = spawn(process.execPath, ["--expose-gc", path.join(here, "client-memory.js"), String(port), String(octets)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, MEMORY_TIMEOUT_MS);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`bench: client-memory exited with ${code}: ${err.trim()}`);
  return JSON.parse(out) as MemoryChildResult;
}

export function clientInputs(options: ClientBenchOptions): Record<string, string> {
  return {
    "(a) one connection": `${options.messages} messages of ${MESSAGE_OCTETS} octets, all handed at once to one connection (smtp-client: one connect(), every send() started, Promise.all; Nodemailer: pool of 1)`,
    "(b) pool of 8": `${options.messages} messages of ${MESSAGE_OCTETS} octets, all handed to a pool of 8 connections at once`,
    "(m) large message": `one message of ${options.largeOctets} octets streamed from a generator (Readable.from), smtp-client only, own process`,
    peer: "Postfix smtp-sink on 127.0.0.1 (PIPELINING, 8BITMIME, DSN; no CHUNKING), one process for the whole run",
    "warm-up": `${WARMUP_MESSAGES} messages per side before each case`,
  };
}

export async function clientBench(options: ClientBenchOptions): Promise<ClientReport> {
  const sink = await startServer("smtp-sink");
  try {
    const log = options.log;
    log(`client (a): ${options.messages} messages over one connection...`);
    const a = await measure("(a)", sink.port, 1, options);
    log(`client (b): ${options.messages} messages through a pool of 8...`);
    const b = await measure("(b)", sink.port, 8, options);
    log(`client (m): one message of ${(options.largeOctets / MIB).toFixed(0)} MiB...`);
    const m = await largeMessageMemory(sink.port, options.largeOctets);
    const sampledAboveMiB = (m.peakRssSampled - m.baselineRss) / MIB;
    const kernelAboveMiB = m.peakRssKernel === undefined ? undefined : (m.peakRssKernel - m.baselineRss) / MIB;
    const worst = Math.max(sampledAboveMiB, kernelAboveMiB ?? 0);
    const memoryTargets = [{ description: `< ${MEMORY_TARGET_MIB} MiB above baseline`, met: worst < MEMORY_TARGET_MIB }];
    return {
      rounds: options.rounds,
      inputs: clientInputs(options),
      rates: [
        rateRow("client-one-connection", `(a) ${options.messages} x 4 KiB, one connection`, a, "Nodemailer"),
        rateRow("client-pool", `(b) ${options.messages} x 4 KiB, pool of 8`, b, "Nodemailer pooled"),
      ],
      memory: {
        id: "client-large-message-memory",
        benchmark: `(m) one ${(options.largeOctets / MIB).toFixed(0)} MiB message, streamed`,
        octets: m.octets,
        baselineMiB: m.baselineRss / MIB,
        sampledAboveMiB,
        ...(kernelAboveMiB === undefined ? {} : { kernelAboveMiB }),
        samples: m.samples,
        seconds: m.seconds,
        targets: memoryTargets,
        pass: memoryTargets.every((t) => t.met),
      },
    };
  } finally {
    await sink.stop();
  }
}
