/**
 * fast-check arbitraries for replies (RFC 5321 §4.2, RFC 2034), shared by the reply and
 * reply-reader tests. Test-only: not exported from the package.
 */
import fc from "fast-check";
import { type EnhancedCode, tryParseEnhancedCode, type Reply } from "../reply.js";

/** textstring characters (RFC 5321 §4.2), biased towards the ones that make status codes and padding. */
export const textCharArb = fc.oneof(
  fc.constantFrom(" ", "\t", ".", "0", "2", "5"),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
);

export interface ReplyArbParts {
  /** Subject and detail of the enhanced code; replies of class 2, 4 and 5 carry one or not, 3xx never. */
  readonly enhanced: fc.Arbitrary<Omit<EnhancedCode, "cls">>;
  /** The text of one line. */
  readonly line: fc.Arbitrary<string>;
  /** At most this many lines (at least one). */
  readonly maxLines: number;
}

/**
 * Replies with a valid code (%x32-35 %x30-35 %x30-39) made of the given parts. Excluded: a reply
 * without `enhanced` whose first line starts with a status code of the reply's class, which has
 * the same wire form as the reply with `enhanced` set (see formatReply).
 */
export const replyArbOf = (parts: ReplyArbParts): fc.Arbitrary<Reply> =>
  fc
    .record({
      digits: fc.tuple(fc.integer({ min: 2, max: 5 }), fc.nat(5), fc.nat(9)),
      enhanced: fc.option(parts.enhanced, { nil: undefined }),
      lines: fc.array(parts.line, { minLength: 1, maxLength: parts.maxLines }),
    })
    .map(({ digits: [a, b, c], enhanced, lines }): Reply => {
      const code = a * 100 + b * 10 + c;
      if (enhanced === undefined || a === 3) return { code, lines };
      return { code, enhanced: { cls: a as 2 | 4 | 5, ...enhanced }, lines };
    })
    .filter((r) => {
      if (r.enhanced !== undefined) return true;
      const lead = /^(\d+\.\d+\.\d+)(?: |$)/.exec(r.lines[0] ?? "");
      return lead?.[1] === undefined || tryParseEnhancedCode(lead[1])?.cls !== Math.floor(r.code / 100);
    });
