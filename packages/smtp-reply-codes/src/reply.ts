import { enhancedClass } from "./classify.js";
import { checkEnhancedCode, formatEnhancedCode, parseEnhancedCode } from "./enhanced-code.js";
import { ReplyCodeError, showInput } from "./errors.js";
import { checkReplyCode } from "./reply-codes.js";
import type { EnhancedCode, Reply } from "./types.js";

/** A `Reply` whose code is known to the type system, as `reply()` returns it. */
export interface TypedReply<C extends number = number> extends Reply {
  readonly code: C;
}

function checkLines(text: string | readonly string[]): readonly string[] {
  const lines = typeof text === "string" ? [text] : Array.isArray(text) ? [...(text as readonly unknown[])] : null;
  if (lines === null || lines.length === 0) {
    throw new ReplyCodeError("bad-text", "a reply needs at least one line of text (it may be empty)");
  }
  for (const line of lines) {
    // A CR or LF inside a line would end the reply line early on the wire and let the rest be
    // read as another reply (reply smuggling), so the builder refuses it. Other octets, UTF-8
    // included (RFC 6531), are the formatter's business.
    if (typeof line !== "string" || /[\r\n]/.test(line)) {
      throw new ReplyCodeError("bad-text", `reply text must be strings without CR or LF: ${showInput(line)}`);
    }
  }
  return Object.freeze(lines as string[]);
}

/**
 * Build a `Reply` (RFC 5321 §4.2) and check that its parts agree:
 * - `code` is a reply code: three digits, the first 2–5, the second 0–5 (RFC 5321 §4.2);
 * - the enhanced code, if any, has the class of the reply: 2.x.x with 2yz, 4.x.x with 4yz, 5.x.x
 *   with 5yz (RFC 2034 §4, RFC 3463 §2);
 * - a 3yz reply has no enhanced code, since RFC 2034 §4 leaves 3xx replies out ("Note that 3xx
 *   responses are NOT included"); pass `undefined`;
 * - each line is a string without CR or LF.
 * Throws `ReplyCodeError` otherwise. The result and its arrays are frozen.
 */
export function reply<const C extends number>(
  code: C,
  enhanced: EnhancedCode | string,
  text: string | readonly string[],
): TypedReply<C> & { readonly enhanced: EnhancedCode };
export function reply<const C extends number>(
  code: C,
  enhanced: EnhancedCode | string | undefined,
  text: string | readonly string[],
): TypedReply<C>;
export function reply<const C extends number>(
  code: C,
  enhanced: EnhancedCode | string | undefined,
  text: string | readonly string[],
): TypedReply<C> {
  checkReplyCode(code);
  const lines = checkLines(text);
  if (enhanced === undefined) return Object.freeze({ code, lines });

  const value = typeof enhanced === "string" ? parseEnhancedCode(enhanced) : checkEnhancedCode(enhanced);
  const expected = enhancedClass(code);
  if (expected === undefined) {
    throw new ReplyCodeError(
      "class-mismatch",
      `a ${code} reply carries no enhanced status code, got ${formatEnhancedCode(value)} (RFC 2034 §4: 3xx replies are not included)`,
    );
  }
  if (value.cls !== expected) {
    throw new ReplyCodeError(
      "class-mismatch",
      `enhanced status code ${formatEnhancedCode(value)} disagrees with reply code ${code}: a ${Math.floor(code / 100)}xx reply takes ${expected}.x.x (RFC 2034 §4)`,
    );
  }
  const frozen: EnhancedCode = Object.freeze({ cls: value.cls, subject: value.subject, detail: value.detail });
  return Object.freeze({ code, enhanced: frozen, lines });
}
