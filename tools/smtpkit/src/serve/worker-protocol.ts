/**
 * The messages between the `--workers` primary and its workers, over node:cluster's IPC channel.
 * The worker parses the same command line itself (so passwords never cross the channel); only the
 * certificate crosses, so that every worker serves the same one, `--self-signed` included.
 */
import type { AddressInfo } from "node:net";
import type { Pem } from "./tls.js";

/** Primary → worker. */
export type ToWorker =
  | { readonly type: "smtpkit-serve:start"; readonly argv: readonly string[]; readonly cwd: string; readonly pem: Pem | undefined }
  | { readonly type: "smtpkit-serve:shutdown" };

/**
 * Worker → primary. `ready` comes first, once the worker listens for messages: cluster's 'online'
 * event fires before an ES module worker has run its code, and a message sent then is lost.
 */
export type FromWorker =
  | { readonly type: "smtpkit-serve:ready" }
  | { readonly type: "smtpkit-serve:listening"; readonly addresses: readonly AddressInfo[] }
  | { readonly type: "smtpkit-serve:failed"; readonly message: string };

export function isToWorker(value: unknown): value is ToWorker {
  const type = (value as { type?: unknown } | null)?.type;
  return type === "smtpkit-serve:start" || type === "smtpkit-serve:shutdown";
}

export function isFromWorker(value: unknown): value is FromWorker {
  const type = (value as { type?: unknown } | null)?.type;
  return type === "smtpkit-serve:ready" || type === "smtpkit-serve:listening" || type === "smtpkit-serve:failed";
}
