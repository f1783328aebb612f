const BRAND = Symbol.for("@smtpkit/smtp-sasl/SaslError");

/**
 * Stable machine-readable reasons. `saslErrorReply` gives the reply a server sends for each; the
 * codes marked "client" come from client mechanisms and never reach a server reply in practice.
 */
export type SaslErrorCode =
  /** a mechanism message that breaks its grammar (missing NULs, SCRAM attribute order, bad gs2 header, bad nonce ...): 501 5.5.2 */
  | "malformed"
  /** wrong password, proof, token or certificate; unknown user: 535 5.7.8 */
  | "bad-credentials"
  /** the credential is valid but may not act as the requested authorization identity: 535 5.7.8 */
  | "not-authorized"
  /** the client sent `*` (RFC 4954 §4): 501 5.7.0 */
  | "cancelled"
  /** a mechanism we do not implement, or one not usable with these verifiers, credentials or channel: 504 5.5.4 */
  | "unsupported-mechanism"
  /** a mechanism that reveals the password or token, on an unencrypted channel (RFC 4954 §6): 538 5.7.11 */
  | "encryption-required"
  /** the application's policy refuses this mechanism for this user (thrown by a verifier): 534 5.7.9 */
  | "too-weak"
  /** SCRAM: the client said "y" (RFC 5802 §6) although this server supports channel binding; client: the server offered -PLUS but a non-PLUS SCRAM was chosen: 535 5.7.8 */
  | "downgrade"
  /** SCRAM -PLUS: binding type not available here, or the binding data differ (RFC 5802 §6): 535 5.7.8 */
  | "channel-binding"
  /** a verifier threw or rejected (user store down ...): 454 4.7.0 */
  | "temporary"
  /** a response over the size limit (RFC 4954 §4): 500 5.5.6 */
  | "too-long"
  /** client: the credentials cannot be carried by this mechanism (a NUL in a PLAIN user name, a SASLprep failure ...) */
  | "unrepresentable"
  /** client: the SCRAM server did not prove it knows the password (wrong or missing server signature) */
  | "bad-server-signature";

/** An OAuth 2.0 error status as carried in XOAUTH2 and OAUTHBEARER error challenges (RFC 7628 §3.2.2). */
export interface OAuthError {
  /** e.g. "invalid_token" (RFC 6750 §3.1), or Google's "401". */
  readonly status: string;
  readonly scope?: string;
  /** Authentication schemes the server accepts, space-separated (e.g. "bearer"). */
  readonly schemes?: string;
  /** URL of the OpenID Connect discovery document ("openid-configuration" on the wire). */
  readonly openidConfiguration?: string;
}

export interface SaslErrorOptions {
  readonly cause?: unknown;
  /** The OAuth error of a failed token exchange, when there was one. */
  readonly oauth?: OAuthError;
}

/**
 * The one error class of smtp-sasl. Messages are fixed texts chosen here: they never contain a
 * password, token, key, proof or user name, so they can be logged as they are.
 */
export class SaslError extends Error {
  override readonly name = "SaslError";
  readonly code: SaslErrorCode;
  /** The OAuth error status of a failed XOAUTH2/OAUTHBEARER exchange (no property at all otherwise). */
  declare readonly oauth?: OAuthError;

  constructor(code: SaslErrorCode, message?: string, options: SaslErrorOptions = {}) {
    super(message ?? DEFAULT_MESSAGES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.oauth !== undefined) Object.defineProperty(this, "oauth", { value: options.oauth, enumerable: true });
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a failure worth retrying later (a verifier failed), false for a definite refusal. */
  get temporary(): boolean {
    return this.code === "temporary";
  }

  /** The reply a server sends for this error (see `saslErrorReply`). */
  get reply(): SaslReply {
    return saslErrorReply(this);
  }

  /** Brand check that survives duplicate installs of the package (unlike `instanceof`). */
  static isInstance(value: unknown): value is SaslError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

const DEFAULT_MESSAGES: Readonly<Record<SaslErrorCode, string>> = {
  malformed: "Malformed authentication message",
  "bad-credentials": "Authentication credentials invalid",
  "not-authorized": "Not authorized to act as the requested authorization identity",
  cancelled: "Authentication cancelled",
  "unsupported-mechanism": "Authentication mechanism not supported here",
  "encryption-required": "Encryption required for requested authentication mechanism",
  "too-weak": "Authentication mechanism is too weak",
  downgrade: "Channel binding downgrade detected",
  "channel-binding": "Channel binding failed",
  temporary: "Temporary authentication failure",
  "too-long": "Authentication message too long",
  unrepresentable: "Credentials cannot be carried by this mechanism",
  "bad-server-signature": "Server signature missing or wrong",
};

/** Enhanced status code (RFC 3463), the same shape as `@smtpkit/smtp-codec`'s and `@smtpkit/smtp-reply-codes`'. */
export interface SaslEnhancedCode {
  readonly cls: 2 | 4 | 5;
  readonly subject: number;
  readonly detail: number;
}

/** An SMTP reply, structurally a `Reply` of `@smtpkit/smtp-codec` (this package imports neither at run time). */
export interface SaslReply {
  readonly code: number;
  readonly enhanced: SaslEnhancedCode;
  readonly lines: readonly string[];
}

function reply(code: number, enhanced: `${2 | 4 | 5}.${number}.${number}`, text: string): SaslReply {
  const [cls, subject, detail] = enhanced.split(".").map(Number) as [2 | 4 | 5, number, number];
  return Object.freeze({ code, enhanced: Object.freeze({ cls, subject, detail }), lines: Object.freeze([text]) });
}

// The texts are those of @smtpkit/smtp-reply-codes' `Replies` (RFC 4954 §4, §6).
const MALFORMED = reply(501, "5.5.2", "Invalid authentication response");
const FAILED = reply(535, "5.7.8", "Authentication credentials invalid");
const REPLIES: Readonly<Record<SaslErrorCode, SaslReply>> = {
  malformed: MALFORMED,
  "bad-credentials": FAILED,
  "not-authorized": FAILED,
  downgrade: FAILED,
  "channel-binding": FAILED,
  cancelled: reply(501, "5.7.0", "Authentication cancelled"),
  "unsupported-mechanism": reply(504, "5.5.4", "Unrecognized authentication type"),
  "encryption-required": reply(538, "5.7.11", "Encryption required for requested authentication mechanism"),
  "too-weak": reply(534, "5.7.9", "Authentication mechanism is too weak"),
  temporary: reply(454, "4.7.0", "Temporary authentication failure"),
  "too-long": reply(500, "5.5.6", "Authentication Exchange line is too long"),
  unrepresentable: MALFORMED,
  "bad-server-signature": MALFORMED,
};

/**
 * The reply a server sends when an exchange ends with `err`: 501 5.5.2 malformed, 501 5.7.0
 * cancelled (RFC 4954 §4), 535 5.7.8 bad credentials, 454 4.7.0 temporary, 504 5.5.4 unsupported
 * mechanism, 534 5.7.9 too weak, 538 5.7.11 encryption required, 500 5.5.6 too long. Anything that
 * is not a `SaslError` is treated as a temporary failure (454 4.7.0): the server's fault, not the
 * client's. The replies are frozen and shared.
 */
export function saslErrorReply(err: unknown): SaslReply {
  return SaslError.isInstance(err) ? REPLIES[err.code] : REPLIES.temporary;
}

/**
 * RFC 4954 §4: a continuation line of exactly `*` cancels the exchange. The transport sees it before
 * base64 decoding, so the check is the transport's; `line` is the line without its CRLF.
 */
export function isCancel(line: string | Uint8Array): boolean {
  return typeof line === "string" ? line === "*" : line.length === 1 && line[0] === 0x2a;
}

/** The error a transport ends the exchange with when `isCancel(line)`: code "cancelled", 501 5.7.0. */
export function cancelled(): SaslError {
  return new SaslError("cancelled");
}
