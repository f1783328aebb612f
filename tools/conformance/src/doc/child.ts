/**
 * Peer servers that run as processes of their own (Postfix's smtp-sink, Python's aiosmtpd): started on
 * 127.0.0.1 and a port that was free a moment ago, known to be up when their own greeting comes back,
 * and stopped by the pid we started — never by name. Every wait is bounded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

export const HOST = "127.0.0.1";

/** A server that does not greet or go down within these times is a failure, not a hang. */
export const START_TIMEOUT_MS = 20_000;
export const STOP_TIMEOUT_MS = 10_000;
/** Neither smtp-sink nor aiosmtpd can listen on port 0 and tell us the port, so a race is retried. */
const BIND_ATTEMPTS = 5;
const STDERR_KEPT = 4096;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A generator or test that dies must not leave servers behind: kill what is still ours, by pid. */
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of running) if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) process.kill(c.pid, "SIGKILL");
    });
  }
  running.add(child);
  child.once("exit", () => running.delete(child));
}

/** A port of 127.0.0.1 that the kernel handed out and we released again. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port from the kernel");
  return address.port;
}

/** The first line the server at `port` sends, or undefined when it refuses or stays silent. */
function firstLine(port: number, waitMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    let got = "";
    const done = (line: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    socket.on("data", (chunk: Buffer) => {
      got += chunk.toString("latin1");
      const end = got.indexOf("\n");
      if (end >= 0) done(got.slice(0, end).replace(/\r$/, ""));
    });
    socket.once("error", () => done(undefined));
    socket.once("close", () => done(undefined));
  });
}

type Start = { ok: true } | { ok: false; inUse: boolean; why: string };

/**
 * Wait until the child greets with `greeting` on `port`. Matching the greeting (not just a TCP connect)
 * proves that the listener is ours and not some other process that took the port in the meantime.
 */
async function awaitGreeting(child: ChildProcess, port: number, greeting: RegExp, stderr: () => string): Promise<Start> {
  let spawnError: Error | undefined;
  child.once("error", (e) => {
    spawnError = e;
  });
  const exited = (): Start => {
    if (spawnError !== undefined) return { ok: false, inUse: false, why: `could not be started: ${spawnError.message}` };
    const why = `exited with ${child.exitCode ?? child.signalCode} before it listened: ${stderr().trim()}`;
    return { ok: false, inUse: /address already in use/i.test(stderr()), why };
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || spawnError !== undefined) return exited();
    const line = await firstLine(port, 2_000);
    if (line !== undefined && greeting.test(line)) {
      if (child.exitCode !== null || child.signalCode !== null) return exited();
      return { ok: true };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode !== null || child.signalCode !== null) return exited();
  return { ok: false, inUse: false, why: `did not greet with ${greeting} within ${START_TIMEOUT_MS} ms: ${stderr().trim()}` };
}

export interface Spawned {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Start `argv(port)` on a free port; retried on a new port when the bind lost a race. `greeting`
 * matches the server's 220 line.
 */
export async function spawnListening(what: string, argv: (port: number) => readonly string[], greeting: RegExp): Promise<Spawned> {
  let last = "";
  for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
    const port = await freePort();
    const [file, ...args] = argv(port);
    if (file === undefined) throw new Error(`${what}: empty command`);
    // stdout ignored: neither server writes there in our configuration, and an unread pipe could block it.
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    track(child);
    let err = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (err.length < STDERR_KEPT) err += chunk.toString();
    });
    const started = await awaitGreeting(child, port, greeting, () => err);
    if (started.ok && child.pid !== undefined) return { pid: child.pid, port, stop: stopper(child, what) };
    await stopper(child, what)();
    if (started.ok || !started.inUse) throw new Error(`${what} ${started.ok ? "has no pid" : started.why}`);
    last = started.why;
  }
  throw new Error(`${what} found no free port in ${BIND_ATTEMPTS} attempts; last: ${last}`);
}

/** SIGTERM to the pid we started, SIGKILL when it lingers; resolves once it has exited. */
export function stopper(child: ChildProcess, what: string): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const pid = child.pid;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const exitsWithin = async (ms: number): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      });
      const ok = await Promise.race([exited.then(() => true), late]);
      clearTimeout(timer);
      return ok;
    };
    // It may exit between the check above and the signal: ESRCH then means "already gone".
    const signal = (name: NodeJS.Signals): void => {
      try {
        process.kill(pid, name);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
      }
    };
    signal("SIGTERM");
    if (await exitsWithin(STOP_TIMEOUT_MS)) return;
    signal("SIGKILL");
    if (!(await exitsWithin(STOP_TIMEOUT_MS))) throw new Error(`${what} (pid ${pid}) did not exit after SIGKILL`);
  };
}

/** Settle `work` within `ms`, else reject naming `what`. */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
