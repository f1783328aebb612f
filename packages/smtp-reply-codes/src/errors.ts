const BRAND = Symbol.for("@smtpkit/smtp-reply-codes/ReplyCodeError");

/** Stable machine-readable reasons for a `ReplyCodeError`. */
export type ReplyCodeErrorCode =
  /** not a reply code: three digits, the first 2–5, the second 0–5 (RFC 5321 §4.2) */
  | "bad-reply-code"
  /** not an enhanced status code `class.subject.detail` (RFC 3463 §2) */
  | "bad-enhanced-code"
  /** the enhanced code's class disagrees with the reply code, or a 3xx reply has one (RFC 2034 §4) */
  | "class-mismatch"
  /** reply text that cannot be sent: no lines, or a line holding CR or LF */
  | "bad-text";

/** The one error class of smtp-reply-codes. */
export class ReplyCodeError extends Error {
  override readonly name = "ReplyCodeError";
  readonly code: ReplyCodeErrorCode;

  constructor(code: ReplyCodeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Brand check that survives duplicate installs of the package (unlike `instanceof`). */
  static isInstance(value: unknown): value is ReplyCodeError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** A short, printable rendering of a rejected input for error messages. */
export function showInput(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return typeof value;
}
