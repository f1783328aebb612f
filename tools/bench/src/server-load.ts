/**
 * The loads of the server benchmark: Postfix's `smtp-source` sending messages over loopback, and
 * a crowd of idle connections for the memory figure.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { SMTP_SOURCE } from "./server-peers.js";

/** One `smtp-source` run. */
export interface SourceLoad {
  /** Parallel sessions (`-s`). */
  readonly sessions: number;
  /** Messages in all (`-m`), spread over the sessions. */
  readonly messages: number;
  /** Payload octets of each message (`-l`), headers not included. */
  readonly length: number;
  /** Many messages per connection (`-d`); otherwise one message per connection. */
  readonly reuseConnections: boolean;
}

export interface SourceResult {
  /** Wall seconds from start to exit of smtp-source. */
  readonly seconds: number;
  /** CPU seconds the server process used meanwhile (user + system, from /proc). */
  readonly serverCpuSeconds: number;
}

/** A run that takes longer than this is stuck, not slow. */
const RUN_TIMEOUT_MS = 300_000;

/** utime + stime of a process in seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  // Linux reports in USER_HZ, which is 100 on every architecture Node runs on.
  return ticks / 100;
}

/** Send `load` to 127.0.0.1:port with smtp-source; throws unless every message was accepted. */
export async function runSmtpSource(port: number, serverPid: number, load: SourceLoad): Promise<SourceResult> {
  const args = [
    "-s",
    String(load.sessions),
    "-m",
    String(load.messages),
    "-l",
    String(load.length),
    ...(load.reuseConnections ? ["-d"] : []),
    "-M",
    "client.bench.test",
    "-f",
    "sender@client.bench.test",
    "-t",
    "rcpt@bench.test",
    `127.0.0.1:${port}`,
  ];
  const cpuBefore = await cpuSeconds(serverPid);
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(SMTP_SOURCE, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, RUN_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ code: signal === null ? exitCode : null, stderr });
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const serverCpuSeconds = (await cpuSeconds(serverPid)) - cpuBefore;
  // smtp-source stops at the first reply that is not the expected success (no -A), so exit 0
  // means every message was accepted.
  if (code !== 0) throw new Error(`bench: smtp-source ${args.join(" ")} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`);
  return { seconds, serverCpuSeconds };
}

/** Resident set size of a process in octets (VmRSS of /proc/PID/status). */
export async function residentOctets(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (m?.[1] === undefined) throw new Error(`bench: no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** How many connections are opened at once: well under the servers' listen backlogs. */
const CONNECT_BATCH = 200;
const GREETING_TIMEOUT_MS = 30_000;
/** Time given to the server after the last greeting, before reading its memory. */
const SETTLE_MS = 1000;

/** Open a connection and resolve once the server's greeting (a line starting "220") has arrived. */
function connectAndAwaitGreeting(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let seen = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("bench: no greeting within the time allowed"));
    }, GREETING_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("latin1");
      if (!seen.includes("\n")) return;
      clearTimeout(timer);
      socket.off("data", onData);
      if (!seen.startsWith("220")) {
        socket.destroy();
        reject(new Error(`bench: refused: ${seen.trim()}`));
        return;
      }
      resolve(socket);
    };
    socket.on("data", onData);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export interface IdleMemoryResult {
  readonly connections: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** (after - before) / connections, octets. */
  readonly perConnection: number;
}

/**
 * Open `count` connections to the server, each greeted (so the server has set up its session),
 * and leave them idle; the resident memory the server grew by, per connection.
 */
export async function idleConnectionMemory(port: number, serverPid: number, count: number): Promise<IdleMemoryResult> {
  const rssBefore = await residentOctets(serverPid);
  const sockets: net.Socket[] = [];
  try {
    for (let opened = 0; opened < count; opened += CONNECT_BATCH) {
      const batch = Math.min(CONNECT_BATCH, count - opened);
      const settled = await Promise.allSettled(Array.from({ length: batch }, () => connectAndAwaitGreeting(port)));
      for (const s of settled) if (s.status === "fulfilled") sockets.push(s.value);
      const failed = settled.find((s) => s.status === "rejected");
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    }
    for (const socket of sockets) socket.on("error", () => undefined);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rssAfter = await residentOctets(serverPid);
    return { connections: count, rssBefore, rssAfter, perConnection: (rssAfter - rssBefore) / count };
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
