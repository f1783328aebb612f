/**
 * Enhanced mail system status code `class "." subject "." detail` (RFC 3463 §2).
 * The same shape as `@smtpkit/smtp-codec`'s EnhancedCode, so values pass between the packages
 * without either importing the other. `subject` and `detail` are integers 0–999.
 */
export interface EnhancedCode {
  readonly cls: 2 | 4 | 5;
  readonly subject: number;
  readonly detail: number;
}

/**
 * A server reply (RFC 5321 §4.2): the three-digit code, the enhanced status code when the reply
 * carries one (RFC 2034), and the text of each line without the code and without the enhanced code.
 * The same shape as `@smtpkit/smtp-codec`'s Reply.
 */
export interface Reply {
  readonly code: number;
  readonly enhanced?: EnhancedCode;
  readonly lines: readonly string[];
}

/** The text form of an enhanced status code, e.g. `"5.1.1"`. */
export type EnhancedCodeString = `${2 | 4 | 5}.${number}.${number}`;

/**
 * What the first digit of a reply code says (RFC 5321 §4.2.1): 2yz positive completion,
 * 3yz positive intermediate, 4yz transient negative completion, 5yz permanent negative completion.
 */
export type ReplyClass = "success" | "intermediate" | "transient" | "permanent";
