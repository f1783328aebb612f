import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { SmtpSyntaxError } from "./errors.js";
import { utf8AddrXtextDecode, utf8AddrXtextEncode, xtextDecode, xtextEncode } from "./xtext.js";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (SmtpSyntaxError.isInstance(e)) return e.code;
    throw e;
  }
  return "no error";
}

describe("RFC 3461 §4 xtext, known answers", () => {
  test.each([
    ["Bob+2Bsomething@example.com", "Bob+something@example.com"],
    ["e+3Dmc2@example.com", "e=mc2@example.com"],
    ["QQ314159", "QQ314159"],
    ["+20", " "],
    ["a+2B+3Db", "a+=b"],
    ["", ""],
    ["+C3+A9", "é"],
    ["+E7+94+A8+E6+88+B7", "用户"],
    ["+F0+9F+98+80", "😀"],
    ["+EF+BB+BF", "\ufeff"],
  ])("RFC 3461 §4: %j decodes to %j and encodes back", (xtext, value) => {
    expect(xtextDecode(xtext)).toBe(value);
    expect(xtextEncode(value)).toBe(xtext);
  });

  test("RFC 3461 §4: control characters and space are encoded", () => {
    expect(xtextEncode("a b\r\n\u0000\u007f")).toBe("a+20b+0D+0A+00+7F");
  });

  test.each([
    ["+2b", "lower-case hex"],
    ["+2", "one hex digit"],
    ["+", "bare plus"],
    ["+GG", "not hex"],
    ["a=b", "'=' is not an xchar"],
    ["a b", "space is not an xchar"],
    ["a\u0000", "control"],
    ["é", "non-ASCII"],
    ["+FF", "invalid UTF-8"],
    ["+C3", "truncated UTF-8"],
    ["+ED+A0+80", "UTF-8 of a surrogate"],
    ["+C0+80", "overlong UTF-8"],
  ])("RFC 3461 §4: %j is refused (%s)", (xtext) => {
    expect(codeOf(() => xtextDecode(xtext))).toBe("bad-parameter");
  });

  test("a lone surrogate has no UTF-8 form and cannot be encoded", () => {
    expect(codeOf(() => xtextEncode("a\ud800"))).toBe("bad-parameter");
    expect(codeOf(() => xtextEncode("\udc00b"))).toBe("bad-parameter");
  });
});

describe("RFC 6533 §3 utf-8-addr-xtext / utf-8-addr-unitext, known answers", () => {
  test.each([
    ["用户@例子.广告", "\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.\\x{5E7F}\\x{544A}"],
    ["a+b=c@x", "a\\x{2B}b\\x{3D}c@x"],
    ['"a b"@x', '"a\\x{20}b"@x'],
    ['"a\\\\b"@x', '"a\\x{5C}\\x{5C}b"@x'],
    ["é@x", "\\x{E9}@x"],
    ["😀@x", "\\x{1F600}@x"],
    ["\u{10ffff}@x", "\\x{10FFFF}@x"],
    ["user@example.com", "user@example.com"],
  ])("RFC 6533 §3: %s <-> %s", (address, encoded) => {
    expect(utf8AddrXtextEncode(address)).toBe(encoded);
    expect(utf8AddrXtextDecode(encoded, false)).toBe(address);
  });

  test("RFC 6533 §3: lower-case hex digits are accepted (ABNF literals are case-insensitive)", () => {
    expect(utf8AddrXtextDecode("\\x{e9}@x", false)).toBe("é@x");
  });

  test("RFC 6533 §3: utf-8-addr-unitext carries raw UTF-8 only with SMTPUTF8", () => {
    expect(utf8AddrXtextDecode("用户@例子.广告", true)).toBe("用户@例子.广告");
    expect(codeOf(() => utf8AddrXtextDecode("用户@例子.广告", false))).toBe("utf8-not-allowed");
  });

  test.each([
    ["\\x{0E9}", "leading zero"],
    ["\\x{00E9}", "leading zeros"],
    ["\\x{41}", "an ASCII letter needs no escape"],
    ["\\x{D800}", "surrogate"],
    ["\\x{110000}", "beyond U+10FFFF"],
    ["\\x{0A}", "control"],
    ["\\x{85}", "C1 control"],
    ["\\x{}", "no digits"],
    ["\\x{E9", "unterminated"],
    ["\\xE9", "no brace"],
    ["\\y{E9}", "not \\x"],
    ["a+b", "'+' is not a QCHAR"],
    ["a=b", "'=' is not a QCHAR"],
    ["a b", "space is not a QCHAR"],
    ["\\x{10000000}", "too many digits"],
    ["", "empty (the grammar asks for 1*)"],
  ])("RFC 6533 §3: %j is refused (%s)", (encoded) => {
    expect(codeOf(() => utf8AddrXtextDecode(encoded, true))).toBe("bad-parameter");
  });

  test("RFC 6533 §3: controls and lone surrogates cannot be encoded", () => {
    expect(codeOf(() => utf8AddrXtextEncode("a\rb"))).toBe("bad-parameter");
    expect(codeOf(() => utf8AddrXtextEncode("a\ud800"))).toBe("bad-parameter");
  });
});

describe("properties", () => {
  test.prop([fc.string({ unit: "binary", maxLength: 60 })], { numRuns: 1000 })(
    "RFC 3461 §4: xtextDecode(xtextEncode(s)) equals s",
    (s) => {
      expect(xtextDecode(xtextEncode(s))).toBe(s);
    },
  );

  test.prop([fc.string({ unit: "binary", maxLength: 60 })], { numRuns: 1000 })(
    "RFC 3461 §4: encoded text is only %d33-126, without '=', with '+' only before two upper-case hex digits",
    (s) => {
      const x = xtextEncode(s);
      expect(x).toMatch(/^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$/);
    },
  );

  test.prop([fc.string({ unit: fc.constantFrom(..."!\"#*,-.<>~azAZ09"), maxLength: 30 })])(
    "RFC 3461 §4: text made of xchars only is its own encoding",
    (s) => {
      expect(xtextEncode(s)).toBe(s);
      expect(xtextDecode(s)).toBe(s);
    },
  );

  const xtextishArb = fc.string({
    unit: fc.constantFrom("+", "2", "B", "b", "C", "3", "A", "9", "F", "E", "8", "0", "=", " ", "a", "\u0000", "é"),
    maxLength: 30,
  });
  test.prop([fc.oneof(xtextishArb, fc.string({ unit: "binary", maxLength: 30 }))], { numRuns: 1000 })(
    "RFC 3461 §4: any string decodes or gives bad-parameter, and what decodes re-encodes to a decodable form",
    (s) => {
      let v: string;
      try {
        v = xtextDecode(s);
      } catch (e) {
        expect(SmtpSyntaxError.isInstance(e) && e.code).toBe("bad-parameter");
        return;
      }
      expect(xtextDecode(xtextEncode(v))).toBe(v);
    },
  );

  const addressCharArb = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((c) => (c.codePointAt(0) ?? 0) >= 0xa0),
  );
  test.prop([fc.string({ unit: addressCharArb, minLength: 1, maxLength: 40 }), fc.boolean()], { numRuns: 1000 })(
    "RFC 6533 §3: utf8AddrXtextDecode(utf8AddrXtextEncode(s)) equals s; the encoding is 7-bit xtext",
    (s, unitext) => {
      const x = utf8AddrXtextEncode(s);
      expect(x).toMatch(/^[!-~]*$/);
      expect(utf8AddrXtextDecode(x, unitext)).toBe(s);
      // utf-8-addr-xtext has no "+" and no "=", so it is also xtext that decodes to itself.
      expect(xtextDecode(x)).toBe(x);
    },
  );

  test.prop([fc.oneof(xtextishArb, fc.string({ unit: "binary", maxLength: 30 }), fc.string({ unit: fc.constantFrom("\\", "x", "{", "}", "E", "9", "0", "D", "8", "1", "a", "é"), maxLength: 20 })), fc.boolean()], {
    numRuns: 1000,
  })("RFC 6533 §3: any string decodes or gives a typed error, and what decodes re-encodes", (s, unitext) => {
    let v: string;
    try {
      v = utf8AddrXtextDecode(s, unitext);
    } catch (e) {
      expect(SmtpSyntaxError.isInstance(e)).toBe(true);
      expect(["bad-parameter", "utf8-not-allowed"]).toContain((e as SmtpSyntaxError).code);
      return;
    }
    expect(utf8AddrXtextDecode(utf8AddrXtextEncode(v), false)).toBe(v);
  });
});
