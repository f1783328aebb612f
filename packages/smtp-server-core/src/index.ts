/**
 * @smtpkit/smtp-server-core: the receiving side of SMTP and LMTP — the RFC 5321 session state
 * machine, ESMTP extensions, STARTTLS and implicit TLS, AUTH through smtp-sasl, limits, the PROXY
 * protocol and a promise-based hook API.
 *
 * RFC 5321 (SMTP), RFC 1870 (SIZE), RFC 2034 (ENHANCEDSTATUSCODES), RFC 2033 (LMTP), RFC 2920
 * (PIPELINING), RFC 3030 (CHUNKING, BINARYMIME), RFC 3207 (STARTTLS), RFC 3461 (DSN), RFC 4954
 * (AUTH), RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 8314 (implicit TLS), RFC 8689 (REQUIRETLS).
 */

export { createServer } from "./server.js";
export { SmtpReplyError } from "./errors.js";
export { DEFAULT_LIMITS } from "./limits.js";
export type {
  AuthIdentity,
  AuthOptions,
  AuthVerifiers,
  CloseOptions,
  DataOutcome,
  Envelope,
  Extensions,
  HandleOptions,
  Hooks,
  KeyCert,
  Limits,
  ListenOptions,
  Logger,
  Recipient,
  ServerOptions,
  Session,
  SmtpServer,
  TlsInfo,
  TlsOptions,
} from "./types.js";

// ---- Integrator API: the pure pieces, for tests and other transports ----

export { MAX_PROXY_HEADER, parseProxyHeader } from "./proxy-protocol.js";
export type { ProxyEndpoint, ProxyHeader, ProxyParseResult } from "./proxy-protocol.js";
export { parseCidr, matchesCidr } from "./cidr.js";
export type { Cidr } from "./cidr.js";
