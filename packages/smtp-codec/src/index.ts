/**
 * @smtpkit/smtp-codec: the SMTP wire grammar as pure code, bytes and values in, bytes and values out.
 *
 * RFC 5321 (commands, paths, replies, DATA transparency), RFC 1870 (SIZE), RFC 2034 (enhanced codes in
 * replies), RFC 2033 (LHLO), RFC 2852 (BY), RFC 2920 (pipelining-friendly readers), RFC 3030 (BDAT,
 * BINARYMIME), RFC 3207 (STARTTLS), RFC 3461 (DSN parameters, xtext), RFC 4954 (AUTH), RFC 6152
 * (8BITMIME), RFC 6531/6533 (SMTPUTF8, utf-8-addr-xtext), RFC 6710 (MT-PRIORITY), RFC 8689 (REQUIRETLS).
 */

// Commands
export { formatCommand, parseCommand } from "./command.js";
export type { Command, CommandCompat, ParseCommandOptions, Verb } from "./command.js";

// Paths
export {
  formatForwardPath,
  formatMailbox,
  formatReversePath,
  MAX_DOMAIN_OCTETS,
  MAX_LOCAL_PART_OCTETS,
  MAX_PATH_OCTETS,
  parseForwardPath,
  parseMailbox,
  parseReversePath,
} from "./path.js";
export type { ForwardPath, Mailbox, PathOptions, Postmaster, ReversePath } from "./path.js";
export { isAddressLiteral, isDomain } from "./domain.js";

// ESMTP parameters
export { formatMailParams, formatRcptParams, MAX_ENVID_LENGTH, parseMailParams, parseRcptParams } from "./esmtp-params.js";
export type {
  BodyType,
  DeliverBy,
  MailParams,
  Notify,
  OriginalRecipient,
  ParseParamsOptions,
  RcptParams,
} from "./esmtp-params.js";
export { utf8AddrXtextDecode, utf8AddrXtextEncode, xtextDecode, xtextEncode } from "./xtext.js";

// Replies and capabilities
export { formatEnhancedCode, formatReply, tryParseEnhancedCode, parseReply } from "./reply.js";
export type { EnhancedCode, Reply } from "./reply.js";
export { MAX_REPLY_LINE_LENGTH, MAX_REPLY_LINES, ReplyReader } from "./reply-reader.js";
export type { ReplyReaderOptions } from "./reply-reader.js";
export { formatCapabilities, parseCapabilities } from "./capabilities.js";
export type { Capabilities } from "./capabilities.js";

// Framing
export { LineReader, MAX_COMMAND_LINE_LENGTH } from "./line-reader.js";
export type { LineReaderOptions, LineResult } from "./line-reader.js";
export { DataDecoder } from "./data-decoder.js";
export type { DataDecodeResult, DataDecoderOptions } from "./data-decoder.js";
export { DataEncoder, normalizeLineEndings } from "./data-encoder.js";
export { BdatReader } from "./bdat-reader.js";
export type { BdatReadResult } from "./bdat-reader.js";

// Errors
export { SmtpSyntaxError } from "./errors.js";
export type { SmtpSyntaxErrorCode } from "./errors.js";

// ---- Integrator API: the pieces the client and server compose, stable but lower level ----

export { decodeBase64, encodeBase64 } from "./base64.js";
export { readAddressLiteral, readDomain, NOT_MATCHED, UTF8_NOT_ALLOWED } from "./domain.js";
export { readForwardPath, readReversePath } from "./path.js";
export { parseReplyLine, replyFromLines } from "./reply.js";
export type { ReplyLine } from "./reply.js";
export { syntaxError } from "./errors.js";
