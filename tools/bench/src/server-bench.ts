/**
 * The server benchmark: `smtpkit serve --discard`, Nodemailer's smtp-server as a discard sink and
 * Postfix's smtp-sink, each in its own process on loopback, driven by Postfix's smtp-source.
 *
 * For every measurement and every round, each side gets a fresh server process, a warm-up load
 * (so the JIT of the two Node servers has compiled the hot paths), then the timed load; the order
 * of the sides rotates from round to round, and the figure is the median of the rounds. Rates are
 * messages per second of wall time, from smtp-source's start to its exit: the load generator is a
 * separate process, so the server's CPU time alone would not show its latency. The CPU seconds
 * each server process used are reported too (per 1,000 messages, and every run in the JSON): on
 * a shared machine they are disturbed less by other jobs than wall time is.
 */
import { existsSync } from "node:fs";
import { median } from "./harness.js";
import type { ServerFigures, ServerRow, Target } from "./report.js";
import { idleConnectionMemory, runSmtpSource, type SourceLoad } from "./server-load.js";
import { SERVER_SIDES, type ServerSide, SMTP_SINK, SMTP_SOURCE, startServer } from "./server-peers.js";

export interface ServerBenchOptions {
  /** Rounds per measurement (the issue asks for medians of 3). */
  readonly rounds: number;
  /** (a): messages per session; 20 sessions. The figure is 20,000. */
  readonly messagesPerSession: number;
  /** (b): messages in all, one per connection. */
  readonly singleMessages: number;
  /** (c): messages of 1 MiB. */
  readonly largeMessages: number;
  /** (d): idle connections held open. */
  readonly idleConnections: number;
  readonly log: (text: string) => void;
}

/** Warm-up before each timed run: enough for V8 to optimise the per-message paths. */
const WARMUP: SourceLoad = { sessions: 10, messages: 1000, length: 4096, reuseConnections: true };
/**
 * The warm-up takes the same connection mode as the load it precedes: a warm-up over reused
 * connections leaves the connect/close path cold, and the one-per-connection figure then measured
 * JIT warm-up more than the server. Smaller, since smtp-server waits 100 ms before each greeting.
 */
const WARMUP_NEW_CONNECTIONS: SourceLoad = { ...WARMUP, messages: 500, reuseConnections: false };
const warmupFor = (load: SourceLoad): SourceLoad => (load.reuseConnections ? WARMUP : WARMUP_NEW_CONNECTIONS);

const KIB = 1024;
const MIB = 1024 * 1024;

/** The Postfix tools the benchmark needs, or the ones missing. */
export function missingServerTools(): string[] {
  return [SMTP_SOURCE, SMTP_SINK].filter((f) => !existsSync(f));
}

function figures(values: readonly number[]): ServerFigures {
  return { median: median(values), rounds: values };
}

/** The side order of a round: rotated, so no side always runs first or last. */
function order(round: number): ServerSide[] {
  return SERVER_SIDES.map((_, i) => SERVER_SIDES[(i + round) % SERVER_SIDES.length] as ServerSide);
}

type PerSide = Record<ServerSide, number[]>;
const perSide = (): PerSide => ({ smtpkit: [], "smtp-server": [], "smtp-sink": [] });

async function measureRate(load: SourceLoad, options: ServerBenchOptions, what: string): Promise<{ rates: PerSide; cpu: PerSide }> {
  const rates = perSide();
  const cpu = perSide();
  for (let round = 0; round < options.rounds; round++) {
    for (const side of order(round)) {
      const server = await startServer(side);
      try {
        await runSmtpSource(server.port, server.pid, warmupFor(load));
        const result = await runSmtpSource(server.port, server.pid, load);
        const rate = load.messages / result.seconds;
        rates[side].push(rate);
        cpu[side].push(result.serverCpuSeconds);
        options.log(`  ${what}, round ${round + 1}, ${side}: ${Math.round(rate).toLocaleString("en-US")} messages/s`);
      } finally {
        await server.stop();
      }
    }
  }
  return { rates, cpu };
}

async function measureIdleMemory(options: ServerBenchOptions): Promise<PerSide> {
  const perConnection = perSide();
  for (let round = 0; round < options.rounds; round++) {
    for (const side of order(round)) {
      const server = await startServer(side);
      try {
        await runSmtpSource(server.port, server.pid, WARMUP);
        const result = await idleConnectionMemory(server.port, server.pid, options.idleConnections);
        perConnection[side].push(result.perConnection / KIB);
        options.log(
          `  idle connections, round ${round + 1}, ${side}: ${(result.perConnection / KIB).toFixed(1)} KiB each ` +
            `(VmRSS ${(result.rssBefore / MIB).toFixed(1)} -> ${(result.rssAfter / MIB).toFixed(1)} MiB)`,
        );
      } finally {
        await server.stop();
      }
    }
  }
  return perConnection;
}

function row(
  id: ServerRow["id"],
  benchmark: string,
  unit: ServerRow["unit"],
  values: PerSide,
  cpu: { readonly seconds: PerSide; readonly messages: number } | undefined,
  targets: (vsSmtpServer: number, vsSmtpSink: number) => Target[],
): ServerRow {
  const sides = {
    smtpkit: figures(values.smtpkit),
    "smtp-server": figures(values["smtp-server"]),
    "smtp-sink": figures(values["smtp-sink"]),
  };
  const vsSmtpServer = sides.smtpkit.median / sides["smtp-server"].median;
  const vsSmtpSink = sides.smtpkit.median / sides["smtp-sink"].median;
  const checked = targets(vsSmtpServer, vsSmtpSink);
  return {
    id,
    benchmark,
    unit,
    sides,
    vsSmtpServer,
    vsSmtpSink,
    ...(cpu === undefined
      ? {}
      : {
          serverCpuSeconds: cpu.seconds,
          cpuPerThousand: {
            smtpkit: (median(cpu.seconds.smtpkit) / cpu.messages) * 1000,
            "smtp-server": (median(cpu.seconds["smtp-server"]) / cpu.messages) * 1000,
            "smtp-sink": (median(cpu.seconds["smtp-sink"]) / cpu.messages) * 1000,
          },
        }),
    targets: checked,
    pass: checked.every((t) => t.met),
  };
}

/** What each measurement sends, for the report. */
export function serverInputs(options: ServerBenchOptions): Record<string, string> {
  return {
    "(a) many per connection": `smtp-source -s 20 -m ${20 * options.messagesPerSession} -l 4096 -d: 20 sessions x ${options.messagesPerSession} messages of 4 KiB`,
    "(b) one per connection": `smtp-source -s 20 -m ${options.singleMessages} -l 4096: ${options.singleMessages} messages of 4 KiB, one connection each`,
    "(c) 1 MiB messages": `smtp-source -s 5 -m ${options.largeMessages} -l 1048576 -d: ${options.largeMessages} messages of 1 MiB over 5 sessions`,
    "(d) idle connections": `${options.idleConnections} connections opened and greeted, then idle; VmRSS of the server before and after`,
    "server warm-up": `before each timed run: smtp-source -s ${WARMUP.sessions} -m ${WARMUP.messages} -l ${WARMUP.length} -d (for (b): -m ${WARMUP_NEW_CONNECTIONS.messages} without -d)`,
  };
}

export async function serverBench(options: ServerBenchOptions): Promise<ServerRow[]> {
  const rows: ServerRow[] = [];
  const log = options.log;

  log("server (a): 20 sessions, many 4 KiB messages per connection...");
  const loadA: SourceLoad = { sessions: 20, messages: 20 * options.messagesPerSession, length: 4096, reuseConnections: true };
  const a = await measureRate(loadA, options, "(a)");
  rows.push(
    row("server-many-per-connection", "(a) 4 KiB, many per connection, 20 sessions", "messages/s", a.rates, { seconds: a.cpu, messages: loadA.messages }, (server, sink) => [
      { description: ">= 1.3x smtp-server", met: server >= 1.3 },
      { description: ">= 0.8x smtp-sink", met: sink >= 0.8 },
    ]),
  );

  log("server (b): one 4 KiB message per connection...");
  const loadB: SourceLoad = { sessions: 20, messages: options.singleMessages, length: 4096, reuseConnections: false };
  const b = await measureRate(loadB, options, "(b)");
  rows.push(
    row("server-one-per-connection", "(b) 4 KiB, one per connection, 20 sessions", "messages/s", b.rates, { seconds: b.cpu, messages: loadB.messages }, (_server, sink) => [
      { description: ">= 0.5x smtp-sink", met: sink >= 0.5 },
    ]),
  );

  log("server (c): 1 MiB messages...");
  const loadC: SourceLoad = { sessions: 5, messages: options.largeMessages, length: MIB, reuseConnections: true };
  const c = await measureRate(loadC, options, "(c)");
  rows.push(
    row("server-large-messages", "(c) 1 MiB messages, 5 sessions", "messages/s", c.rates, { seconds: c.cpu, messages: loadC.messages }, (server) => [
      { description: ">= 1.2x smtp-server", met: server >= 1.2 },
    ]),
  );

  log(`server (d): memory per idle connection, ${options.idleConnections} connections...`);
  const d = await measureIdleMemory(options);
  rows.push(
    row("server-idle-memory", `(d) memory per idle connection (${options.idleConnections} open)`, "KiB/connection", d, undefined, (server) => [
      { description: "<= 0.5x smtp-server", met: server <= 0.5 },
    ]),
  );
  return rows;
}
