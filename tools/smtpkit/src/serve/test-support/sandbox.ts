/**
 * Test support: the temporary directory and the `smtpkit serve` processes of one describe block
 * (or one file). The directory is made before the tests and removed after them; every process a
 * test started is stopped after that test, and any left over is killed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { killLeftovers, type Served, startServe } from "./cli.js";

export interface ServeSandbox {
  /** The temporary directory; there while the tests run. */
  readonly dir: string;
  /** `smtpkit serve ARGS` in `dir` (or `options.cwd`), once it has printed `listeners` listening lines (default 1). */
  serve(args: readonly string[], options?: { readonly listeners?: number; readonly cwd?: string }): Promise<Served>;
  /** `smtpkit serve --listen 127.0.0.1:0 --maildir DIR/NAME ARGS`: the Maildir and the process. */
  serveMaildir(name: string, args: readonly string[], listeners?: number): Promise<{ maildir: string; served: Served }>;
}

/** Registers the hooks in the describe block (or file) it is called in; `prefix` names the directory. */
export function useServeSandbox(prefix: string): ServeSandbox {
  let dir: string | undefined;
  const running: Served[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    try {
      for (const served of running.splice(0)) await served.stop();
    } finally {
      killLeftovers();
    }
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  const sandbox: ServeSandbox = {
    get dir() {
      if (dir === undefined) throw new Error("the sandbox directory is there only while the tests run");
      return dir;
    },
    async serve(args, options = {}) {
      const served = await startServe(args, { cwd: options.cwd ?? sandbox.dir, listeners: options.listeners ?? 1 });
      running.push(served);
      return served;
    },
    async serveMaildir(name, args, listeners = 1) {
      const maildir = path.join(sandbox.dir, name);
      const served = await sandbox.serve(["--listen", "127.0.0.1:0", "--maildir", maildir, ...args], { listeners });
      return { maildir, served };
    },
  };
  return sandbox;
}
