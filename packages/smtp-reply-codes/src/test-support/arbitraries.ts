/**
 * fast-check arbitraries shared by the tests of smtp-reply-codes.
 * Test-only: not exported from the package.
 */
import fc from "fast-check";

/** Reply-code = %x32-35 %x30-35 %x30-39  (RFC 5321 §4.2) */
export const replyCode = fc
  .tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 }))
  .map(([a, b, c]) => a * 100 + b * 10 + c);
