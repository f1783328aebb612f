/**
 * Enhanced mail system status code `class.subject.detail` (RFC 3463 §2).
 * Structurally the same shape as `@smtpkit/smtp-reply-codes`' EnhancedCode, so values pass
 * between the packages without either importing the other.
 */
export interface EnhancedCode {
  readonly cls: 2 | 4 | 5;
  readonly subject: number;
  readonly detail: number;
}

/**
 * A server reply (RFC 5321 §4.2): a three-digit code, the enhanced status code when the reply
 * carries one (RFC 2034), and the text of each line without the code and without the enhanced code.
 */
export interface Reply {
  readonly code: number;
  readonly enhanced?: EnhancedCode;
  readonly lines: readonly string[];
}
