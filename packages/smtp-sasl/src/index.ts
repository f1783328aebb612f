/**
 * @smtpkit/smtp-sasl: the SASL mechanisms SMTP AUTH (RFC 4954) uses, client and server side, as
 * small state machines over bytes — no sockets, no base64 framing of the SMTP line.
 *
 * RFC 4616 (PLAIN), draft-murchison-sasl-login (LOGIN), RFC 2195 (CRAM-MD5), XOAUTH2 (Google /
 * Microsoft), RFC 7628 (OAUTHBEARER), RFC 5802 and RFC 7677 (SCRAM-SHA-1, SCRAM-SHA-256 and their
 * -PLUS variants), RFC 9266 and RFC 5929 (channel binding types), RFC 4013 (SASLprep),
 * RFC 4422 (EXTERNAL), RFC 4954 (replies).
 */

// Client
export { createClientMechanism, DEFAULT_MAX_ITERATIONS } from "./client.js";
export type { ClientOptions } from "./client.js";
export { chooseMechanism, CLIENT_MECHANISM_ORDER } from "./negotiate.js";
export type { ChooseOptions } from "./negotiate.js";
export type { ClientCredentials } from "./credentials.js";

// Server
export { createServerMechanism, serverMechanismNames } from "./server.js";
export type { ServerOptions } from "./server.js";
export type {
  ClientCertificate,
  ScramCredentials,
  ScramHash,
  ServerVerifiers,
  TokenContext,
  TokenVerdict,
  VerifiedUser,
  VerifyContext,
} from "./verifiers.js";
export { deriveScramCredentials } from "./scram-core.js";
export type { DerivedScramCredentials, DeriveScramOptions } from "./scram-core.js";

// Shapes shared with smtp-client and smtp-server-core
export type { AuthIdentity, ChannelInfo, ClientMechanism, ServerMechanism, ServerStep } from "./types.js";
export type { ChannelBindingType } from "./gs2.js";

// Secrets and errors
export { Secret } from "./secret.js";
export { cancelled, isCancel, SaslError, saslErrorReply } from "./errors.js";
export type { OAuthError, SaslEnhancedCode, SaslErrorCode, SaslErrorOptions, SaslReply } from "./errors.js";

// ---- Integrator API: lower-level pieces for transports and other SASL users ----

export { DEFAULT_MAX_RESPONSE_LENGTH } from "./exchange.js";
export { isPlaintextMechanism, PLAINTEXT_MECHANISMS, SUPPORTED_MECHANISMS } from "./mechanisms.js";
export type { MechanismName } from "./mechanisms.js";
export { DEFAULT_ITERATIONS } from "./scram-core.js";
export { saslprep } from "./saslprep.js";
export type { SaslprepOptions } from "./saslprep.js";
export { decodeSaslname, encodeSaslname } from "./gs2.js";
export { tlsServerEndPoint } from "./tls-server-end-point.js";
export { formatOAuthError, parseOAuthError } from "./oauth.js";
