/**
 * `--workers N`: the primary process of node:cluster. It runs no server itself; it starts N
 * workers (`worker.ts`), which open the same listeners (cluster shares the sockets, and with
 * port 0 every worker gets the same port), prints the listeners once all of them are up, replaces
 * a worker that dies, and at SIGTERM/SIGINT asks each to shut down gracefully and waits for them.
 */
import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { SHUTDOWN_DEADLINE_MS } from "./instance.js";
import { formatEndpoint } from "./options.js";
import { shutdownSignals } from "./signals.js";
import type { Pem } from "./tls.js";
import { type FromWorker, isFromWorker, type ToWorker } from "./worker-protocol.js";

export interface PrimaryIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A worker that is not listening this long after it started has failed. */
const START_TIMEOUT_MS = 30_000;
/** Workers dying this many times within RESTART_WINDOW_MS means something is wrong: stop. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export async function runPrimary(argv: readonly string[], cwd: string, workers: number, pem: Pem | undefined, io: PrimaryIo): Promise<number> {
  cluster.setupPrimary({ exec: fileURLToPath(new URL("./worker.js", import.meta.url)), args: [], silent: false });
  const start: ToWorker = { type: "smtpkit-serve:start", argv, cwd, pem };
  const live = new Set<Worker>();
  let stopping = false;
  const restarts: number[] = [];
  let fatal: ((message: string) => void) | undefined;
  const failed = new Promise<string>((resolve) => {
    fatal = resolve;
  });

  let addresses: readonly AddressInfo[] | undefined;
  let listening = 0;
  let allListening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    allListening = resolve;
  });

  const fork = (): void => {
    const worker = cluster.fork();
    live.add(worker);
    let up = false;
    const timer = setTimeout(() => {
      if (!up) fatal?.(`worker ${worker.process.pid} did not start listening within ${START_TIMEOUT_MS} ms`);
    }, START_TIMEOUT_MS);
    worker.on("message", (message: unknown) => {
      if (!isFromWorker(message)) return;
      const m: FromWorker = message;
      if (m.type === "smtpkit-serve:ready") {
        worker.send(start);
        return;
      }
      if (m.type === "smtpkit-serve:failed") {
        fatal?.(m.message);
        return;
      }
      up = true;
      clearTimeout(timer);
      if (addresses === undefined) addresses = m.addresses;
      listening++;
      if (listening === workers) allListening();
    });
    worker.once("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(worker);
      if (stopping) return;
      if (!up) {
        fatal?.(`worker ${worker.process.pid} exited (${signal ?? code}) before listening`);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        fatal?.(`workers died ${restarts.length} times within ${RESTART_WINDOW_MS / 1000} s`);
        return;
      }
      io.stderr(`smtpkit serve: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
      fork();
    });
  };

  const killAll = (): void => {
    for (const w of live) if (w.process.pid !== undefined && w.process.exitCode === null) process.kill(w.process.pid, "SIGKILL");
  };
  const signals = shutdownSignals(() => {
    io.stderr("smtpkit serve: second signal, stopping at once\n");
    killAll();
    process.exit(1);
  });

  /** Ask every worker to shut down gracefully; kill those still there after the deadline. */
  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exits = [...live].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once("exit", () => resolve()))));
    for (const w of live) if (w.isConnected()) w.send({ type: "smtpkit-serve:shutdown" } satisfies ToWorker);
    const timer = setTimeout(killAll, SHUTDOWN_DEADLINE_MS + 5_000);
    await Promise.all(exits);
    clearTimeout(timer);
  };

  try {
    for (let i = 0; i < workers; i++) fork();
    const started = await Promise.race([ready.then(() => undefined), failed, signals.first.then(() => "")]);
    if (started !== undefined) {
      await stopAll();
      if (started === "") return 0;
      io.stderr(`smtpkit serve: ${started}\n`);
      return 1;
    }
    for (const a of addresses ?? []) io.stdout(`smtpkit listening on ${formatEndpoint({ host: a.address, port: a.port })}\n`);
    const reason = await Promise.race([failed, signals.first.then(() => undefined)]);
    await stopAll();
    if (reason === undefined) return 0;
    io.stderr(`smtpkit serve: ${reason}\n`);
    return 1;
  } finally {
    signals.dispose();
  }
}
