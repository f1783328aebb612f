import type { Reply } from "@smtpkit/smtp-codec";

const BRAND = Symbol.for("@smtpkit/smtp-server-core/SmtpReplyError");

/**
 * The one error class of smtp-server-core. A hook rejects with it to answer the client with
 * `reply`; any other error becomes 451 4.3.0 and is logged. `code` is "reply" for errors a hook
 * builds, or a stable reason when the server raises one itself (e.g. on the message stream).
 */
export class SmtpReplyError extends Error {
  override readonly name = "SmtpReplyError";
  readonly code: string;
  readonly reply: Reply;

  constructor(reply: Reply, options?: { cause?: unknown; code?: string }) {
    super(`${reply.code} ${reply.lines.join(" ")}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reply = reply;
    this.code = options?.code ?? "reply";
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Brand check that survives duplicate installs of the package (unlike `instanceof`). */
  static isInstance(value: unknown): value is SmtpReplyError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** 4xx: the client may try again later. */
  get temporary(): boolean {
    return this.reply.code >= 400 && this.reply.code < 500;
  }
}
