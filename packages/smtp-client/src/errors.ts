/** The one error class of smtp-client. */
import type { Reply } from "@smtpkit/smtp-codec";

/** Where in the session a failure happened (issue 6). */
export type SmtpPhase =
  | "connect"
  | "greeting"
  | "tls"
  | "ehlo"
  | "auth"
  | "mail"
  | "rcpt"
  | "data"
  | "quit"
  | "rset"
  | "input"
  | "mx";

/** Stable machine-readable reasons. */
export type SmtpClientErrorCode =
  /** The TCP/TLS connection could not be opened. */
  | "connect-failed"
  /** A phase timed out. */
  | "timeout"
  /** The AbortSignal fired. */
  | "aborted"
  /** The server closed the connection, or a socket error. */
  | "connection-lost"
  /** A reply the client cannot read, an over-long line, or a reply without a command. */
  | "bad-reply"
  /** The server answered with an error reply (see `reply`). */
  | "rejected"
  /** STARTTLS required but not offered or refused. */
  | "tls-unavailable"
  /** The TLS handshake failed (certificate, protocol). */
  | "tls-failed"
  /** Bytes arrived after the 220 to STARTTLS and before the handshake (response injection). */
  | "tls-injection"
  /** AUTH asked for but no common mechanism, or plaintext over cleartext not allowed. */
  | "auth-unavailable"
  /** AUTH failed (bad credentials, SASL error, too many challenges). */
  | "auth-failed"
  /** An address, name or parameter that cannot be put on the wire (control characters …). */
  | "invalid-input"
  /** The message is larger than the server's SIZE. */
  | "size-exceeded"
  /** The message or addresses need an extension the server lacks (8BITMIME, SMTPUTF8, BINARYMIME, REQUIRETLS, DSN). */
  | "extension-missing"
  /** Every recipient was rejected. */
  | "no-recipients"
  /** The connection was closed or is busy with another message. */
  | "closed"
  /** Direct-to-MX: no plan (smtp-dns-mx), or MTA-STS forbids delivery. */
  | "mx-failed";

const BRAND = Symbol.for("@smtpkit/smtp-client/SmtpClientError");

export interface SmtpClientErrorOptions {
  readonly reply?: Reply;
  readonly temporary?: boolean;
  readonly cause?: unknown;
}

export class SmtpClientError extends Error {
  override readonly name = "SmtpClientError";
  readonly code: SmtpClientErrorCode;
  readonly phase: SmtpPhase;
  readonly reply?: Reply;
  /** True: try again later (or another MX). False: the message will never go this way. */
  readonly temporary: boolean;

  constructor(code: SmtpClientErrorCode, phase: SmtpPhase, message: string, options: SmtpClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.phase = phase;
    if (options.reply !== undefined) this.reply = options.reply;
    this.temporary = options.temporary ?? (options.reply === undefined ? true : options.reply.code < 500);
    Object.defineProperty(this, BRAND, { value: true });
  }

  get permanent(): boolean {
    return !this.temporary;
  }

  static isInstance(value: unknown): value is SmtpClientError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** The reply as one line for an error message: `550 5.1.1 text`. */
export function replyText(reply: Reply): string {
  const e = reply.enhanced;
  const code = e === undefined ? "" : ` ${e.cls}.${e.subject}.${e.detail}`;
  return `${reply.code}${code} ${reply.lines.join(" ")}`.trimEnd();
}

/** An error reply turned into an error of `phase`. */
export function rejected(phase: SmtpPhase, reply: Reply, what: string): SmtpClientError {
  return new SmtpClientError("rejected", phase, `${what}: ${replyText(reply)}`, { reply });
}
