import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { checkReplyCode, describeReplyCode, isReplyCode, REPLY_CODES } from "./reply-codes.js";
import { errorCodeOf } from "./test-support/errors.js";

/** RFC 5321 §4.2.3, "Reply Codes in Numeric Order". */
const RFC5321_CODES = [
  211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455, 500, 501, 502, 503, 504, 550, 551, 552, 553, 554,
  555,
];

/** Codes added by extensions, with the RFC that defines each. */
const EXTENSION_CODES: readonly (readonly [number, string])[] = [
  [235, "RFC 4954"],
  [334, "RFC 4954"],
  [432, "RFC 4954"],
  [454, "RFC 4954"],
  [454, "RFC 3207"],
  [521, "RFC 7504"],
  [530, "RFC 4954"],
  [530, "RFC 3207"],
  [534, "RFC 4954"],
  [535, "RFC 4954"],
  [538, "RFC 4954"],
  [556, "RFC 7504"],
];

describe("REPLY_CODES", () => {
  test("holds every code of RFC 5321 §4.2.3, citing RFC 5321", () => {
    for (const code of RFC5321_CODES) {
      const entry = REPLY_CODES.find((e) => e.code === code);
      expect(entry?.references.some((r) => r.startsWith("RFC 5321"))).toBe(true);
    }
  });

  test.each(EXTENSION_CODES)("holds %i from %s", (code, rfc) => {
    const entry = REPLY_CODES.find((e) => e.code === code);
    expect(entry?.references.some((r) => r.startsWith(rfc))).toBe(true);
  });

  test("holds nothing else, once each, in numeric order, all valid codes with a meaning", () => {
    const codes = REPLY_CODES.map((e) => e.code);
    const expected = [...new Set([...RFC5321_CODES, ...EXTENSION_CODES.map(([code]) => code)])].sort((a, b) => a - b);
    expect(codes).toEqual(expected);
    for (const e of REPLY_CODES) {
      expect(isReplyCode(e.code)).toBe(true);
      expect(e.meaning.trim()).not.toBe("");
    }
  });

  test("RFC 5321 §4.2.3 meanings: 250, 354, 421, 554", () => {
    const meaning = (code: number) => REPLY_CODES.find((e) => e.code === code)?.meaning;
    expect(meaning(250)).toBe("Requested mail action okay, completed");
    expect(meaning(354)).toBe("Start mail input; end with <CRLF>.<CRLF>");
    expect(meaning(421)).toMatch(/^<domain> Service not available, closing transmission channel/);
    expect(meaning(554)).toMatch(/^Transaction failed/);
  });

  test("is frozen", () => {
    expect(Object.isFrozen(REPLY_CODES)).toBe(true);
    for (const e of REPLY_CODES) {
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.references)).toBe(true);
    }
  });
});

describe("isReplyCode: Reply-code = %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2)", () => {
  test.prop([fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 })])(
    "accepts every code the grammar allows",
    (a, b, c) => {
      expect(isReplyCode(a * 100 + b * 10 + c)).toBe(true);
    },
  );

  test.prop([fc.integer({ min: 2, max: 5 }), fc.integer({ min: 6, max: 9 }), fc.integer({ min: 0, max: 9 })])(
    "refuses a second digit of 6-9",
    (a, b, c) => {
      expect(isReplyCode(a * 100 + b * 10 + c)).toBe(false);
    },
  );

  test.each([100, 199, 600, 999, 0, 25, 2500, 250.5, Number.NaN, "250", null])("refuses %s", (value) => {
    expect(isReplyCode(value)).toBe(false);
    expect(errorCodeOf(() => checkReplyCode(value))).toBe("bad-reply-code");
  });
});

describe("describeReplyCode", () => {
  test("gives the entry of a known code", () => {
    const info = describeReplyCode(535);
    expect(info.known).toBe(true);
    expect(info.meaning).toBe("Authentication credentials invalid");
    expect(info.references).toEqual(["RFC 4954 §6"]);
  });

  test("reads an unlisted code off its digits (RFC 5321 §4.2.1)", () => {
    const info = describeReplyCode(433);
    expect(info.known).toBe(false);
    expect(info.meaning).toBe("Transient Negative Completion reply, unspecified (no registered meaning)");
    expect(describeReplyCode(259).meaning).toBe("Positive Completion reply, mail system (no registered meaning)");
    expect(describeReplyCode(520).meaning).toMatch(/^Permanent Negative Completion reply, connections/);
  });

  test("throws bad-reply-code for a value that is not a reply code", () => {
    expect(errorCodeOf(() => describeReplyCode(600))).toBe("bad-reply-code");
  });

  test.prop([fc.integer({ min: 200, max: 599 })])("describes every valid code, known or not", (code) => {
    if (!isReplyCode(code)) {
      expect(errorCodeOf(() => describeReplyCode(code))).toBe("bad-reply-code");
      return;
    }
    const info = describeReplyCode(code);
    expect(info.code).toBe(code);
    expect(info.known).toBe(REPLY_CODES.some((e) => e.code === code));
  });
});
