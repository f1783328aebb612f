/**
 * Test support: Postfix's `smtp-sink` (Debian package postfix) on 127.0.0.1, each message dumped
 * to a file (`-d`), started and stopped by its pid. smtp-sink needs `-u nobody` when run as root,
 * so the dump directory is made writable for that user. Test-only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const SMTP_SINK = "/usr/sbin/smtp-sink";

const WAIT_MS = 15_000;

export interface Sink {
  readonly port: number;
  /** Every dumped message, oldest first (waits, bounded, until `count` are there). */
  messages(count: number): Promise<SinkMessage[]>;
  /** Stop it by its pid and remove the dumps. */
  stop(): Promise<void>;
}

/** One dump: smtp-sink's X- records, then the message lines as received (line ends dropped). */
export interface SinkMessage {
  readonly mailArgs: string;
  readonly rcptArgs: readonly string[];
  /** The message's lines, dot-unstuffed by smtp-sink; CR LF, bare CR and bare LF all end a line. */
  readonly lines: readonly string[];
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`smtp-sink exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error("smtp-sink did not listen in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The dump format of smtp-sink(1): records, a three-line Received field, the message, an empty line. */
export function parseDump(text: string): SinkMessage {
  const lines = text.split("\n");
  const received = lines.findIndex((l) => l.startsWith("Received: "));
  if (received < 0) throw new Error("not an smtp-sink dump");
  const records = lines.slice(0, received);
  // After the Received field (3 lines) the message; the dump ends with an empty line and the final newline.
  const message = lines.slice(received + 3, lines.length - 2);
  return {
    mailArgs: records.find((l) => l.startsWith("X-Mail-Args: "))?.slice("X-Mail-Args: ".length) ?? "",
    rcptArgs: records.filter((l) => l.startsWith("X-Rcpt-Args: ")).map((l) => l.slice("X-Rcpt-Args: ".length)),
    lines: message,
  };
}

/** Start smtp-sink with `flags` (e.g. `-f RCPT`, `-L`) on a free port of 127.0.0.1. */
export async function startSink(flags: readonly string[] = []): Promise<Sink> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "smtpkit-send-sink-"));
  await chmod(dir, 0o777);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
  const child = spawn(SMTP_SINK, [...asRoot, "-d", `${dir}/m.`, ...flags, `127.0.0.1:${port}`, "64"], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    await waitForPort(port, child);
  } catch (error) {
    if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    throw error;
  }
  return {
    port,
    async messages(count) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const files = (await readdir(dir)).sort();
        if (files.length >= count) {
          const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), "latin1")));
          // A dump is complete once it ends with the empty line after the message.
          if (texts.every((t) => t.endsWith("\n\n"))) return texts.map(parseDump);
        }
        if (Date.now() > deadline) throw new Error(`smtp-sink dumped ${files.length} of ${count} messages`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  }, WAIT_MS);
  await exited;
  clearTimeout(timer);
}
