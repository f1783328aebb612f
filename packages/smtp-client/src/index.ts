/**
 * @smtpkit/smtp-client: an SMTP/LMTP sending client that pipelines, never downgrades TLS, and
 * delivers direct to MX.
 *
 * RFC 5321 (SMTP), RFC 2920 (PIPELINING), RFC 3030 (CHUNKING/BDAT, BINARYMIME), RFC 3207 (STARTTLS),
 * RFC 8314 (implicit TLS), RFC 4954 (AUTH, via @smtpkit/smtp-sasl), RFC 1870 (SIZE), RFC 6152
 * (8BITMIME), RFC 6531 (SMTPUTF8), RFC 3461 (DSN), RFC 8689 (REQUIRETLS), RFC 2033 (LMTP),
 * RFC 8461 (MTA-STS, with @smtpkit/smtp-dns-mx).
 */

export { connect } from "./connection.js";
export { createPool } from "./pool.js";
export { deliver } from "./deliver.js";
export type { DeliverMessage } from "./deliver.js";
export type {
  AuthOptions,
  Capabilities,
  Connection,
  ConnectOptions,
  DeliverOptions,
  DeliveryRecipient,
  DeliveryReport,
  DsnOptions,
  Logger,
  MessageInput,
  Pool,
  PoolOptions,
  RecipientResult,
  Reply,
  SendInput,
  SendParams,
  SendResult,
  SocketFactory,
  Timeouts,
  TlsMode,
  TlsOptions,
  TokenProvider,
} from "./types.js";
export { SmtpClientError } from "./errors.js";
export type { SmtpClientErrorCode, SmtpClientErrorOptions, SmtpPhase } from "./errors.js";

// ---- Integrator API: lower-level pieces, stable but for tools and tests ----

export { DEFAULT_TIMEOUTS } from "./timeouts.js";
export { messageIdFrom } from "./message-source.js";
