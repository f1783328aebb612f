/**
 * @smtpkit/smtp-reply-codes: SMTP reply codes (RFC 5321 §4.2 and extensions), enhanced status
 * codes (RFC 3463, RFC 2034) and the IANA Enhanced Status Codes registry (RFC 5248) as data.
 */

export { classify, isPermanent, isTransient } from "./classify.js";
export {
  describeEnhancedCode,
  type EnhancedCodeDescription,
  formatEnhancedCode,
  isEnhancedCode,
  parseEnhancedCode,
} from "./enhanced-code.js";
export { ReplyCodeError, type ReplyCodeErrorCode } from "./errors.js";
export { Replies, type ReplyName } from "./replies.js";
export { reply, type TypedReply } from "./reply.js";
export { describeReplyCode, type ReplyCodeInfo } from "./reply-codes.js";
export type { EnhancedCode, EnhancedCodeString, Reply, ReplyClass } from "./types.js";

// ---- Integrator API: the registry tables and the checks the other packages build on ----

export { enhancedClass } from "./classify.js";
export { checkEnhancedCode, subjectOf } from "./enhanced-code.js";
export {
  ENHANCED_CLASSES,
  ENHANCED_STATUS_CODES,
  ENHANCED_SUBJECTS,
  type EnhancedClassEntry,
  type EnhancedStatusEntry,
  type EnhancedSubjectEntry,
} from "./enhanced-registry.js";
export { checkReplyCode, isReplyCode, REPLY_CODES, type ReplyCodeEntry } from "./reply-codes.js";
