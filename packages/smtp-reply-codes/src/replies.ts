import { reply } from "./reply.js";

/**
 * Named replies for the common cases, each built (and so checked) by `reply()`. Send them as they
 * are, or use `reply(code, enhanced, text)` for your own wording. Replies that RFC 2034 §4 leaves
 * without an enhanced code (the greeting, 3xx) have none.
 */
export const Replies = Object.freeze({
  // Connection and session (RFC 5321 §3.1, §4.1.1.10, §4.2.3)
  serviceReady: reply(220, undefined, "Service ready"),
  serviceClosing: reply(221, "2.0.0", "Service closing transmission channel"),
  serviceUnavailable: reply(421, "4.3.2", "Service not available, closing transmission channel"),
  shuttingDown: reply(421, "4.3.2", "Service shutting down, closing transmission channel"),
  timeout: reply(421, "4.4.2", "Timeout exceeded, closing transmission channel"),
  // Connection-opening replies are greetings, which carry no enhanced code (RFC 2034 §4).
  noSmtpService: reply(554, undefined, "No SMTP service here"),
  hostDoesNotAcceptMail: reply(521, undefined, "Host does not accept mail"),

  // Positive completion (RFC 5321 §4.2.3; RFC 3463 §3.2, §3.6)
  ok: reply(250, "2.0.0", "OK"),
  okSender: reply(250, "2.1.0", "Sender OK"),
  okRecipient: reply(250, "2.1.5", "Recipient OK"),
  queued: reply(250, "2.0.0", "OK: queued"),
  cannotVerify: reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"),
  startMailInput: reply(354, undefined, "Start mail input; end with <CRLF>.<CRLF>"),

  // Commands and syntax (RFC 5321 §4.2.3, §4.3.2, §4.5.3.1.4)
  commandUnrecognized: reply(500, "5.5.1", "Syntax error, command unrecognized"),
  lineTooLong: reply(500, "5.5.2", "Line too long"),
  syntaxError: reply(501, "5.5.4", "Syntax error in parameters or arguments"),
  badSenderSyntax: reply(501, "5.1.7", "Bad sender address syntax"),
  badRecipientSyntax: reply(501, "5.1.3", "Bad recipient address syntax"),
  notImplemented: reply(502, "5.5.1", "Command not implemented"),
  badSequence: reply(503, "5.5.1", "Bad sequence of commands"),
  parameterNotImplemented: reply(504, "5.5.4", "Command parameter not implemented"),
  unknownParameter: reply(555, "5.5.4", "MAIL FROM/RCPT TO parameters not recognized or not implemented"),
  parametersNotAccommodated: reply(455, "4.5.4", "Server unable to accommodate parameters"),

  // Mailboxes and recipients (RFC 5321 §4.2.3, §4.5.3.1.10; RFC 3463 §3.2, §3.3, §3.8)
  unknownMailbox: reply(550, "5.1.1", "Mailbox unavailable: no such user"),
  mailboxUnavailable: reply(450, "4.2.0", "Mailbox temporarily unavailable"),
  mailboxDisabled: reply(550, "5.2.1", "Mailbox disabled, not accepting messages"),
  mailboxFull: reply(452, "4.2.2", "Mailbox full"),
  mailboxFullPermanent: reply(552, "5.2.2", "Mailbox full"),
  mailboxNameNotAllowed: reply(553, "5.1.3", "Mailbox name not allowed"),
  relayDenied: reply(550, "5.7.1", "Relay access denied"),
  policyRejection: reply(550, "5.7.1", "Delivery not authorized, message refused"),
  tooManyRecipients: reply(452, "4.5.3", "Too many recipients"),
  noValidRecipients: reply(554, "5.5.0", "No valid recipients"),
  nullMx: reply(556, "5.1.10", "Recipient address has null MX"),
  senderNullMx: reply(550, "5.7.27", "Sender address has null MX"),

  // The mail system (RFC 5321 §4.2.3; RFC 3463 §3.4)
  localError: reply(451, "4.3.0", "Requested action aborted: local error in processing"),
  insufficientStorage: reply(452, "4.3.1", "Insufficient system storage"),
  messageTooBig: reply(552, "5.3.4", "Message size exceeds fixed maximum message size"),
  transactionFailed: reply(554, "5.0.0", "Transaction failed"),

  // Content (RFC 3463 §3.7, RFC 6531 §3.5)
  conversionNotSupported: reply(554, "5.6.3", "Conversion required but not supported"),
  nonAsciiNotPermitted: reply(553, "5.6.7", "Non-ASCII addresses not permitted for that sender/recipient"),

  // STARTTLS (RFC 3207 §4) and REQUIRETLS (RFC 8689)
  readyToStartTls: reply(220, "2.0.0", "Ready to start TLS"),
  tlsNotAvailable: reply(454, "4.7.0", "TLS not available due to temporary reason"),
  startTlsFirst: reply(530, "5.7.0", "Must issue a STARTTLS command first"),
  requireTlsNeedsEncryption: reply(530, "5.7.10", "REQUIRETLS needs an encrypted session"),
  requireTlsNotSupported: reply(550, "5.7.30", "REQUIRETLS support required"),

  // AUTH (RFC 4954 §4, §6)
  authSucceeded: reply(235, "2.7.0", "Authentication succeeded"),
  authRequired: reply(530, "5.7.0", "Authentication required"),
  authFailed: reply(535, "5.7.8", "Authentication credentials invalid"),
  authTooWeak: reply(534, "5.7.9", "Authentication mechanism is too weak"),
  encryptionRequired: reply(538, "5.7.11", "Encryption required for requested authentication mechanism"),
  tempAuthFailure: reply(454, "4.7.0", "Temporary authentication failure"),
  passwordTransitionNeeded: reply(432, "4.7.12", "A password transition is needed"),
  authLineTooLong: reply(500, "5.5.6", "Authentication Exchange line is too long"),
  authCancelled: reply(501, "5.7.0", "Authentication cancelled"),
  unrecognizedAuthMechanism: reply(504, "5.5.4", "Unrecognized authentication type"),
  alreadyAuthenticated: reply(503, "5.5.1", "Already authenticated"),
} as const);

/** The names of the `Replies` constants. */
export type ReplyName = keyof typeof Replies;
