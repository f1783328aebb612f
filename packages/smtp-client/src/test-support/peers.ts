/** Interop peers: a missing peer skips the test locally and fails it in CI (CI=true). */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect, createServer } from "node:net";
import { afterEach } from "vitest";

export const inCi = process.env.CI === "true" || process.env.CI === "1";
export const PYTHON = "/usr/bin/python3";
export const SMTP_SINK = "/usr/sbin/smtp-sink";

export function havePeer(name: string, probe: () => boolean): boolean {
  let ok = false;
  try {
    ok = probe();
  } catch {
    ok = false;
  }
  if (!ok && inCi) throw new Error(`interop peer missing in CI: ${name}`);
  return ok;
}

export const haveSmtpSink = (): boolean => havePeer("postfix smtp-sink", () => existsSync(SMTP_SINK));
export const haveAiosmtpd = (): boolean =>
  havePeer("python3-aiosmtpd", () => {
    execFileSync(PYTHON, ["-c", "import aiosmtpd"], { stdio: "ignore", timeout: 10_000 });
    return true;
  });

/** A free TCP port on 127.0.0.1 (for peers that take a port on the command line). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, "SIGTERM");
});

/** Start a peer process and wait until `port` accepts connections; it is stopped by pid after the test. */
export async function startPeer(cmd: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited: ${err}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${cmd} did not listen on ${port}: ${err}`);
}
