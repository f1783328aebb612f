/**
 * The three servers of the server benchmark, each started as its own process on 127.0.0.1 and a
 * free port, and stopped by its pid:
 *
 * - `smtpkit serve --discard` (the built CLI of tools/smtpkit);
 * - Nodemailer's smtp-server as a discard sink (`server-smtp-server-sink.ts`);
 * - Postfix's `smtp-sink` (`/usr/sbin/smtp-sink`, with `-u nobody` when run as root, which it requires).
 *
 * Each is started through `sh -c 'ulimit -n <hard limit>; exec …'`, so the pid is the server's own
 * and it may hold the 5,000 idle connections of the memory benchmark.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type ServerSide = "smtpkit" | "smtp-server" | "smtp-sink";

export const SERVER_SIDES: readonly ServerSide[] = ["smtpkit", "smtp-server", "smtp-sink"];

export const SMTP_SINK = "/usr/sbin/smtp-sink";
export const SMTP_SOURCE = "/usr/sbin/smtp-source";

/** Bounded waits: a server that does not come up or go down in this time is a failure. */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/** Enough for the memory benchmark's connections plus the load runs. */
const MAX_CONNECTIONS = 10_000;

export interface RunningServer {
  readonly side: ServerSide;
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const running = new Set<ChildProcess>();

// A bench that dies must not leave servers behind: kill what is still running, by pid.
process.on("exit", () => {
  for (const child of running) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
});

/** The smtpkit CLI's entry point, through the workspace dependency on @smtpkit/cli. */
export function smtpkitBin(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@smtpkit/cli/package.json")), "bin", "smtpkit.js");
}

/** A port that was free a moment ago, for smtp-sink, which cannot report the port it got for 0. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("bench: no port from the kernel");
  return address.port;
}

/** Spawn `argv` with the open-files limit raised to the hard limit. */
function spawnWithFiles(argv: readonly string[]): ChildProcess {
  const child = spawn("/bin/sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...argv], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Wait for a line matching `pattern` on stdout; the first capture group is the port. */
function portFromOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => fail(new Error(`bench: ${what} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => fail(new Error(`bench: ${what} exited with ${code} before listening: ${err.trim()}`)));
  });
}

/** Poll until a TCP connection to the port succeeds. */
async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: ${what} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not accept connections within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(child: ChildProcess, what: string): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const pid = child.pid;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
    });
    const late = await Promise.race([exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      process.stderr.write(`bench: ${what} (pid ${pid}) ignored SIGTERM for ${STOP_TIMEOUT_MS} ms, killing it\n`);
      process.kill(pid, "SIGKILL");
      await exited;
    }
  };
}

/** Start one side on a free port of 127.0.0.1. */
export async function startServer(side: ServerSide): Promise<RunningServer> {
  let child: ChildProcess;
  let port: number;
  if (side === "smtpkit") {
    child = spawnWithFiles([
      process.execPath,
      smtpkitBin(),
      "serve",
      "--discard",
      "--listen",
      "127.0.0.1:0",
      "--hostname",
      "smtpkit.bench.test",
      "--max-connections",
      String(MAX_CONNECTIONS),
      "--max-connections-per-address",
      String(MAX_CONNECTIONS),
    ]);
    port = await portFromOutput(child, /smtpkit listening on 127\.0\.0\.1:(\d+)/, "smtpkit serve");
  } else if (side === "smtp-server") {
    child = spawnWithFiles([process.execPath, path.join(here, "server-smtp-server-sink.js"), "0"]);
    port = await portFromOutput(child, /listening on 127\.0\.0\.1:(\d+)/, "the smtp-server sink");
  } else {
    if (!existsSync(SMTP_SINK)) throw new Error(`bench: ${SMTP_SINK} is missing (Debian package postfix)`);
    port = await freePort();
    const asRoot = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
    child = spawnWithFiles([SMTP_SINK, ...asRoot, "-m", String(MAX_CONNECTIONS), `127.0.0.1:${port}`, "1000"]);
    await waitForPort(port, child, "smtp-sink");
  }
  if (child.pid === undefined) throw new Error(`bench: ${side} has no pid`);
  return { side, pid: child.pid, port, stop: stopper(child, side) };
}
