/**
 * Test support for the `smtpkit serve` interop tests: run the built CLI as a child process, wait
 * (bounded) for its listeners, stop it by its pid, and read back what it stored. Also: whether an
 * external peer (python3, Postfix's smtp-source) is there, where a missing peer is a failure
 * when CI=true and a skipped test otherwise.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** tools/smtpkit/bin/smtpkit.js, which runs the build in dist/. */
export const SMTPKIT_BIN = path.resolve(here, "../../../bin/smtpkit.js");

export const PYTHON = "/usr/bin/python3";
export const SMTP_SOURCE = "/usr/sbin/smtp-source";

/** Every wait in these tests is bounded by this or less. */
export const WAIT_MS = 20_000;

/** In CI a missing peer must fail the run, not skip quietly. */
export function requirePeer(file: string): boolean {
  const present = existsSync(file);
  if (!present && process.env.CI === "true") throw new Error(`${file} is missing; CI must have it (see .ci/run)`);
  return present;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Served {
  readonly pid: number;
  /** Ports of the listeners in the order printed. */
  readonly ports: readonly number[];
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Send `signal` (default SIGTERM) and wait, bounded, for the exit; SIGKILL if it does not come. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** Wait, bounded, for the process to exit by itself (after a signal the test sent). */
  waitForExit(): Promise<Exit>;
}

const children = new Set<ChildProcess>();

/** Kill, by pid, every CLI process a test left running (call from afterEach/afterAll). */
export function killLeftovers(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function spawnCli(args: readonly string[], cwd: string): ChildProcess {
  const child = spawn(process.execPath, [SMTPKIT_BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  return child;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** Collect the child's output and wait, bounded, for its exit; SIGKILL when it does not come. */
async function runToEnd(child: ChildProcess, what: string): Promise<Exit & { stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exit = await withTimeout(exitOf(child), WAIT_MS, what).catch((error: unknown) => {
    if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    throw error;
  });
  return { ...exit, stdout, stderr };
}

/** Run the CLI to its end (bounded): exit code and output. */
export async function runCli(args: readonly string[], cwd: string): Promise<Exit & { stdout: string; stderr: string }> {
  return runToEnd(spawnCli(args, cwd), `smtpkit ${args.join(" ")}`);
}

const LISTENING = /^smtpkit listening on (?:\[[^\]]+\]|[^\s:]+):(\d+)$/gm;

/** Start `smtpkit serve ARGS` and wait until it has printed `listeners` listening lines. */
export async function startServe(args: readonly string[], options: { cwd: string; listeners?: number }): Promise<Served> {
  const want = options.listeners ?? 1;
  const child = spawnCli(["serve", ...args], options.cwd);
  if (child.pid === undefined) throw new Error("smtpkit serve did not start");
  const pid = child.pid;
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = exitOf(child);
  const ports = await withTimeout(
    new Promise<number[]>((resolve, reject) => {
      child.stdout?.on("data", (c: Buffer) => {
        stdout += c.toString();
        const found = [...stdout.matchAll(LISTENING)].map((m) => Number(m[1]));
        if (found.length >= want) resolve(found);
      });
      void exited.then((e) => reject(new Error(`smtpkit serve exited (${e.code ?? e.signal}) before listening: ${stderr.trim()}`)));
    }),
    WAIT_MS,
    "smtpkit serve listening",
  ).catch((error: unknown) => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    throw error;
  });
  return {
    pid,
    ports,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForExit() {
      return withTimeout(exited, WAIT_MS, "smtpkit serve exit");
    },
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
      return withTimeout(exited, WAIT_MS, "smtpkit serve shutdown").catch((error: unknown) => {
        process.kill(pid, "SIGKILL");
        throw error;
      });
    },
  };
}

/** A stored message split at the end of the trace fields smtpkit serve put before it. */
export interface StoredMessage {
  readonly file: string;
  readonly returnPath: string;
  /** The Received field, unfolded. */
  readonly received: string;
  /** The message bytes after the trace fields: must be exactly what the client sent. */
  readonly body: Buffer;
}

const TRACE = /^Return-Path: (<[^\r\n]*>)\r\nReceived: ([^\r\n]*(?:\r\n\t[^\r\n]*)*)\r\n/;

export function splitStored(file: string, bytes: Buffer): StoredMessage {
  // The trace fields are ASCII (or UTF-8 under SMTPUTF8); latin1 keeps octet offsets.
  const m = TRACE.exec(bytes.toString("latin1"));
  if (m === null) throw new Error(`${file} does not start with Return-Path and Received`);
  return {
    file,
    returnPath: Buffer.from(m[1] as string, "latin1").toString("utf8"),
    received: Buffer.from((m[2] as string).replace(/\r\n\t/g, " "), "latin1").toString("utf8"),
    body: bytes.subarray(m[0].length),
  };
}

/** Every message in `root/<mailbox>/new`, by mailbox directory name (mailboxes with none left out), oldest name first. */
export async function storedMessages(root: string): Promise<Map<string, StoredMessage[]>> {
  const out = new Map<string, StoredMessage[]>();
  if (!existsSync(root)) return out;
  for (const box of (await readdir(root)).sort()) {
    const dir = path.join(root, box, "new");
    const files = (await readdir(dir)).sort();
    const messages: StoredMessage[] = [];
    for (const f of files) messages.push(splitStored(path.join(dir, f), await readFile(path.join(dir, f))));
    if (messages.length > 0) out.set(box, messages);
  }
  return out;
}

/** Run a Python script with /usr/bin/python3 (bounded); its stdout, or an error with its stderr. */
export async function runPython(script: string, args: readonly string[] = []): Promise<string> {
  return runTool(PYTHON, ["-c", script, ...args]);
}

/** Run an external program to its end (bounded); stdout, or an error with the exit code and stderr. */
export async function runTool(file: string, args: readonly string[], input?: Buffer): Promise<string> {
  const child = spawn(file, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  if (input !== undefined) child.stdin?.end(input);
  const result = await runToEnd(child, path.basename(file));
  if (result.code !== 0) throw new Error(`${path.basename(file)} exited with ${result.code ?? result.signal}: ${result.stderr.trim()}`);
  return result.stdout;
}
