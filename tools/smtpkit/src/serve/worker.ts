/**
 * The entry point of a `--workers` worker process (node:cluster runs this file, not the CLI).
 * It waits for the primary's start message, runs one server instance on the shared listeners,
 * and shuts it down gracefully on the primary's request, on SIGTERM/SIGINT (a terminal's Ctrl-C
 * reaches every process of the group), or when the primary goes away.
 */
import process from "node:process";
import { type Instance, startInstance } from "./instance.js";
import { lineLogger } from "./log.js";
import { parseServeArgs } from "./options.js";
import { type FromWorker, isToWorker } from "./worker-protocol.js";

function send(message: FromWorker): void {
  process.send?.(message);
}

let instance: Instance | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await instance?.close();
  } finally {
    process.disconnect?.();
    process.exit(0);
  }
}

process.on("message", (message: unknown) => {
  if (!isToWorker(message)) return;
  if (message.type === "smtpkit-serve:shutdown") {
    void stop();
    return;
  }
  void (async () => {
    try {
      const config = parseServeArgs(message.argv, message.cwd);
      if (config === "help") throw new Error("a worker was started with --help");
      instance = await startInstance(config, message.pem, lineLogger(config.verbose));
      send({ type: "smtpkit-serve:listening", addresses: instance.addresses });
    } catch (error) {
      send({ type: "smtpkit-serve:failed", message: (error as Error).message });
      process.exit(1);
    }
  })();
});

for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void stop());
process.on("disconnect", () => void stop());
send({ type: "smtpkit-serve:ready" });
