/** The probe's one error class (STYLE rule 6). */

export type ProbeErrorCode =
  /** No reply within the wait. */
  | "timeout"
  /** The server closed the connection (or it broke) while a reply was awaited. */
  | "closed"
  /** Bytes that are not a reply (RFC 5321 §4.2). */
  | "bad-reply"
  /** TCP connect failed. */
  | "connect-failed"
  /** The TLS handshake failed. */
  | "tls-failed"
  /** The probe's connection or byte budget is spent. */
  | "budget"
  /** The check's time ran out or the probe was stopped. */
  | "aborted"
  /** Options that cannot work (bad `--only` id, port out of range). */
  | "invalid-options";

const BRAND = Symbol.for("smtpkit.conformance.ProbeError");

export class ProbeError extends Error {
  readonly code: ProbeErrorCode;
  readonly [BRAND] = true;

  constructor(code: ProbeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProbeError";
    this.code = code;
  }

  /** True for a ProbeError from any copy of this package. */
  static isInstance(value: unknown): value is ProbeError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
