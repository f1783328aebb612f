import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import {
  checkEnhancedCode,
  describeEnhancedCode,
  formatEnhancedCode,
  isEnhancedCode,
  parseEnhancedCode,
  subjectOf,
} from "./enhanced-code.js";
import { errorCodeOf } from "./test-support/errors.js";
import type { EnhancedCode } from "./types.js";

const enhancedCode = fc.record({
  cls: fc.constantFrom(2 as const, 4 as const, 5 as const),
  subject: fc.integer({ min: 0, max: 999 }),
  detail: fc.integer({ min: 0, max: 999 }),
});

/** Strings made mostly of the characters an enhanced code is made of, to hit the edges. */
const codeLikeString = fc.string({ unit: fc.constantFrom("0", "1", "2", "3", "4", "5", "9", ".", " ", "-", "x") });

describe("parseEnhancedCode (RFC 3463 §2)", () => {
  test.each([
    ["2.0.0", { cls: 2, subject: 0, detail: 0 }],
    ["5.1.1", { cls: 5, subject: 1, detail: 1 }],
    ["4.7.0", { cls: 4, subject: 7, detail: 0 }],
    ["5.7.30", { cls: 5, subject: 7, detail: 30 }],
    ["5.999.999", { cls: 5, subject: 999, detail: 999 }],
  ])("RFC 3463 §2 status-code %s", (text, expected) => {
    expect(parseEnhancedCode(text)).toEqual(expected);
    expect(isEnhancedCode(text)).toBe(true);
  });

  test.each([
    ["class 3 does not exist (RFC 3463 §2: class = 2 / 4 / 5)", "3.0.0"],
    ["class 1", "1.1.1"],
    ["leading zero in the subject (RFC 3463 §2)", "5.01.1"],
    ["leading zero in the detail (RFC 3463 §2)", "5.1.01"],
    ["four-digit subject (1*3digit)", "5.1000.0"],
    ["four-digit detail (1*3digit)", "5.0.1000"],
    ["empty sub-code", "5..1"],
    ["two sub-codes", "5.1"],
    ["four sub-codes", "5.1.1.1"],
    ["leading space", " 5.1.1"],
    ["trailing space", "5.1.1 "],
    ["trailing newline", "5.1.1\n"],
    ["IANA's X placeholder", "X.1.1"],
    ["empty string", ""],
    ["full-width digits", "５.1.1"],
  ])("rejects %s", (_why, text) => {
    expect(errorCodeOf(() => parseEnhancedCode(text))).toBe("bad-enhanced-code");
    expect(isEnhancedCode(text)).toBe(false);
  });

  test("rejects values that are not strings", () => {
    for (const value of [511, null, undefined, { cls: 5, subject: 1, detail: 1 }]) {
      expect(errorCodeOf(() => parseEnhancedCode(value as unknown as string))).toBe("bad-enhanced-code");
      expect(isEnhancedCode(value)).toBe(false);
    }
  });

  test("returns a frozen value", () => {
    expect(Object.isFrozen(parseEnhancedCode("5.1.1"))).toBe(true);
  });

  test.prop([enhancedCode])("parse(format(e)) equals e", (e) => {
    expect(parseEnhancedCode(formatEnhancedCode(e))).toEqual(e);
  });

  test.prop([fc.oneof(fc.string(), codeLikeString)])(
    "any string parses or throws a bad-enhanced-code ReplyCodeError, as isEnhancedCode predicts",
    (text) => {
      const failure = errorCodeOf(() => parseEnhancedCode(text));
      expect([undefined, "bad-enhanced-code"]).toContain(failure);
      expect(isEnhancedCode(text)).toBe(failure === undefined);
    },
  );

  test.prop([enhancedCode.map((e) => `${e.cls}.${e.subject}.${e.detail}`)])(
    "format(parse(s)) equals s for every well-formed code written by hand",
    (text) => {
      expect(isEnhancedCode(text)).toBe(true);
      expect(formatEnhancedCode(parseEnhancedCode(text))).toBe(text);
    },
  );
});

describe("formatEnhancedCode", () => {
  test("writes class.subject.detail", () => {
    expect(formatEnhancedCode({ cls: 5, subject: 7, detail: 30 })).toBe("5.7.30");
  });

  test.each([
    ["class 3", { cls: 3, subject: 0, detail: 0 }],
    ["negative subject", { cls: 5, subject: -1, detail: 0 }],
    ["subject over 999", { cls: 5, subject: 1000, detail: 0 }],
    ["fractional detail", { cls: 5, subject: 1, detail: 1.5 }],
    ["NaN detail", { cls: 5, subject: 1, detail: Number.NaN }],
    ["string class", { cls: "5", subject: 1, detail: 1 }],
  ])("refuses %s, so it never writes what parse would reject", (_why, value) => {
    expect(errorCodeOf(() => formatEnhancedCode(value as unknown as EnhancedCode))).toBe("bad-enhanced-code");
    expect(errorCodeOf(() => checkEnhancedCode(value as unknown as EnhancedCode))).toBe("bad-enhanced-code");
  });

  test.prop([fc.anything()])("checkEnhancedCode accepts a value or throws a bad-enhanced-code ReplyCodeError", (value) => {
    expect([undefined, "bad-enhanced-code"]).toContain(errorCodeOf(() => checkEnhancedCode(value as EnhancedCode)));
  });
});

describe("describeEnhancedCode", () => {
  test("finds the exact entry for 5.1.1 (RFC 3463 §3.2)", () => {
    const d = describeEnhancedCode("5.1.1");
    expect(d.match).toBe("exact");
    expect(d.text).toBe("5.1.1");
    expect(d.summary).toBe("Bad destination mailbox address");
    expect(d.entry?.code).toBe("X.1.1");
    expect(d.subjectEntry?.summary).toBe("Addressing Status");
    expect(d.classEntry.summary).toBe("Permanent Failure");
  });

  test("takes an EnhancedCode value as well as a string", () => {
    expect(describeEnhancedCode({ cls: 4, subject: 2, detail: 2 }).summary).toBe("Mailbox full");
  });

  test("finds X.7.30 for 5.7.30 (RFC 8689)", () => {
    expect(describeEnhancedCode("5.7.30").summary).toBe("REQUIRETLS support required");
  });

  test("falls back to the subject for an unregistered detail", () => {
    const d = describeEnhancedCode("4.7.99");
    expect(d.match).toBe("subject");
    expect(d.entry).toBeUndefined();
    expect(d.summary).toBe("Security or Policy Status");
    expect(d.classEntry.summary).toBe("Persistent Transient Failure");
  });

  test("falls back to the class for an unregistered subject", () => {
    const d = describeEnhancedCode("2.9.0");
    expect(d.match).toBe("class");
    expect(d.subjectEntry).toBeUndefined();
    expect(d.summary).toBe("Success");
  });

  test("describes the deprecated X.6.10 by its description, as IANA gives it no sample text", () => {
    const d = describeEnhancedCode("5.6.10");
    expect(d.entry?.deprecated).toBe(true);
    expect(d.summary).toBe("This is a duplicate of X.6.8 and is thus deprecated.");
  });

  test("throws ReplyCodeError for a malformed code", () => {
    expect(errorCodeOf(() => describeEnhancedCode("5.1"))).toBe("bad-enhanced-code");
  });

  test.prop([enhancedCode])("always describes a valid code, with the code's own class", (e) => {
    const d = describeEnhancedCode(e);
    expect(d.classEntry.cls).toBe(e.cls);
    expect(d.code).toEqual(e);
    expect(d.summary).not.toBe("");
    expect(subjectOf(e)).toBe(d.subjectEntry);
  });
});

describe("subjectOf", () => {
  test("gives the subject entry of a code", () => {
    expect(subjectOf("5.5.1")?.code).toBe("X.5.YYY");
    expect(subjectOf("5.8.1")).toBeUndefined();
  });
});
