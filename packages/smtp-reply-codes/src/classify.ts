import { checkReplyCode } from "./reply-codes.js";
import type { ReplyClass } from "./types.js";

const BY_FIRST_DIGIT: Readonly<Record<number, ReplyClass>> = {
  2: "success",
  3: "intermediate",
  4: "transient",
  5: "permanent",
};

function codeOf(reply: { readonly code: number } | number): number {
  return checkReplyCode(typeof reply === "number" ? reply : reply?.code);
}

/**
 * What a reply's first digit says (RFC 5321 §4.2.1): 2yz success, 3yz intermediate (the client
 * goes on: 354 after DATA, 334 in AUTH), 4yz transient (try again later), 5yz permanent.
 * The basic code decides, never the enhanced code. Throws `ReplyCodeError("bad-reply-code")` for
 * a value that is not a reply code.
 */
export function classify(reply: { readonly code: number } | number): ReplyClass {
  return BY_FIRST_DIGIT[Math.floor(codeOf(reply) / 100)] as ReplyClass;
}

/** A 4yz reply: the same command may succeed later (RFC 5321 §4.2.1). */
export function isTransient(reply: { readonly code: number } | number): boolean {
  return classify(reply) === "transient";
}

/** A 5yz reply: repeating the same command will not succeed (RFC 5321 §4.2.1). */
export function isPermanent(reply: { readonly code: number } | number): boolean {
  return classify(reply) === "permanent";
}

/**
 * The class an enhanced code must have to go with this basic code: 2 for 2yz, 4 for 4yz, 5 for
 * 5yz, and undefined for 3yz, which carry no enhanced code (RFC 2034 §4).
 */
export function enhancedClass(reply: { readonly code: number } | number): 2 | 4 | 5 | undefined {
  const first = Math.floor(codeOf(reply) / 100);
  return first === 3 ? undefined : (first as 2 | 4 | 5);
}
