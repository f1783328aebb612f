import type { Reply } from "./reply.js";

const BRAND = Symbol.for("@smtpkit/smtp-codec/SmtpSyntaxError");

/**
 * Stable machine-readable reasons. The `reply` of each error is what a server should send back;
 * the session goes on after it (a syntax error never closes the connection).
 */
export type SmtpSyntaxErrorCode =
  /** verb not recognised: 500 5.5.1 */
  | "unknown-command"
  /** command known but its arguments are malformed: 501 5.5.4 (5.5.2 for AUTH base64) */
  | "syntax"
  /** reverse-path malformed: 501 5.1.7; forward-path malformed: 501 5.1.3 */
  | "bad-path"
  /** local part > 64, domain > 255 or path > 256 octets (RFC 5321 §4.5.3.1): 501 */
  | "path-too-long"
  /** non-ASCII address without SMTPUTF8 in force (RFC 6531 §3.5): 553 5.6.7 */
  | "utf8-not-allowed"
  /** ESMTP keyword we do not know: 555 5.5.4 (RFC 5321 §4.1.1.11) */
  | "unknown-parameter"
  /** known ESMTP keyword with a bad or missing value: 501 5.5.4 */
  | "bad-parameter"
  /** same ESMTP keyword twice: 501 5.5.4 */
  | "duplicate-parameter"
  /** AUTH initial response that is not valid base64: 501 5.5.2 (RFC 4954 §4) */
  | "bad-base64"
  /** a reply from a server that does not follow RFC 5321 §4.2 (client side) */
  | "bad-reply";

/**
 * The one error class of smtp-codec. Thrown by parsers for malformed input, never for partial
 * input (incremental readers return "need more" instead).
 */
export class SmtpSyntaxError extends Error {
  override readonly name = "SmtpSyntaxError";
  readonly code: SmtpSyntaxErrorCode;
  /** The reply a server should answer with. */
  readonly reply: Reply;

  constructor(code: SmtpSyntaxErrorCode, reply: Reply, options?: { cause?: unknown }) {
    super(reply.lines.join(" "), options);
    this.code = code;
    this.reply = reply;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Brand check that survives duplicate installs of the package (unlike `instanceof`). */
  static isInstance(value: unknown): value is SmtpSyntaxError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Build a `SmtpSyntaxError` from a basic code, an `X.Y.Z` enhanced code and text. */
export function syntaxError(
  code: SmtpSyntaxErrorCode,
  basic: number,
  enhanced: `${2 | 4 | 5}.${number}.${number}`,
  text: string,
  options?: { cause?: unknown },
): SmtpSyntaxError {
  const [cls, subject, detail] = enhanced.split(".").map(Number) as [2 | 4 | 5, number, number];
  return new SmtpSyntaxError(code, { code: basic, enhanced: { cls, subject, detail }, lines: [text] }, options);
}
