import { isIPv6 as nodeIsIPv6 } from "node:net";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import {
  isAddressLiteral,
  isDomain,
  NOT_MATCHED,
  nonAsciiWidth,
  readAddressLiteral,
  readDomain,
  UTF8_NOT_ALLOWED,
  utf8Length,
} from "./domain.js";
import { addressLiteralArb, domainArb } from "./test-support/arbitraries.js";

describe("RFC 5321 §4.1.2 Domain", () => {
  test.each(["example.com", "localhost", "a", "1", "123.example", "a-b.c--d.e1", "EXAMPLE.COM", "xn--fsqu00a.xn--3lr804guic"])(
    "RFC 5321 §4.1.2: %s is a Domain",
    (d) => {
      expect(isDomain(d)).toBe(true);
    },
  );

  test.each(["", ".", "a.", ".a", "a..b", "-a", "a-", "a.-b", "a_b", "a b", "a.b-", "[1.2.3.4]", "é.example"])(
    "RFC 5321 §4.1.2: %j is not a Domain",
    (d) => {
      expect(isDomain(d)).toBe(false);
    },
  );

  test("RFC 5321 §4.1.2: readDomain stops at the first char that cannot continue it", () => {
    expect(readDomain("a.b>rest", 0)).toBe(3);
    expect(readDomain("x@host.example,@y", 2)).toBe(14);
    expect(readDomain("a.>", 0)).toBe(NOT_MATCHED);
  });

  test("RFC 6531 §3.3: U-label sub-domains only with SMTPUTF8", () => {
    expect(readDomain("例子.广告", 0)).toBe(UTF8_NOT_ALLOWED);
    expect(readDomain("例子.广告", 0, true)).toBe(5);
    expect(isDomain("bücher.example", { smtputf8: true })).toBe(true);
    expect(isDomain("bücher.example")).toBe(false);
    expect(isDomain("a\u0085b", { smtputf8: true })).toBe(false);
  });
});

describe("RFC 5321 §4.1.3 address literals", () => {
  test.each([
    ["[192.0.2.1]", "IPv4"],
    ["[010.0.0.1]", "IPv4, Snum with a leading zero (1*3DIGIT)"],
    ["[IPv6:2001:db8:0:0:1:0:0:1]", "IPv6-full"],
    ["[IPv6:2001:DB8::1]", "IPv6-comp"],
    ["[IPv6:::]", "IPv6-comp, all zero"],
    ["[IPv6:1::]", "IPv6-comp, trailing ::"],
    ["[IPv6:1:2:3::4:5:6]", "IPv6-comp, 6 groups"],
    ["[IPv6:1:2:3:4:5:6:1.2.3.4]", "IPv6v4-full"],
    ["[IPv6:::1.2.3.4]", "IPv6v4-comp, no groups"],
    ["[IPv6:1:2::3:4:1.2.3.4]", "IPv6v4-comp, 4 groups"],
    ["[ipv6:::1]", "tag case-insensitive"],
    ["[x-new:anything!goes~here]", "General-address-literal"],
    ["[1:x]", "General-address-literal with a numeric tag"],
  ])("RFC 5321 §4.1.3: %s (%s)", (literal) => {
    expect(isAddressLiteral(literal)).toBe(true);
    expect(readAddressLiteral(`${literal}>`, 0)).toBe(literal.length);
  });

  test.each([
    ["[256.0.0.0]", "Snum above 255"],
    ["[1.2.3.4.]", "trailing dot"],
    ["[1.2.3]", "three Snums"],
    ["[0001.2.3.4]", "four digits"],
    ["[IPv6:1:2:3:4:5:6:7]", "IPv6-full with 7 groups"],
    ["[IPv6:1:2:3:4:5:6:7:8:9]", "IPv6-full with 9 groups"],
    ["[IPv6:1:2:3:4::5:6:7]", "IPv6-comp with 7 groups"],
    ["[IPv6:1:2:3:4:5:6:7::]", "'::' for a single group (RFC 4291 allows, RFC 5321 does not)"],
    ["[IPv6:1:2:3::4:5:1.2.3.4]", "IPv6v4-comp with 5 groups"],
    ["[IPv6:1:2:3:4:5:1.2.3.4]", "IPv6v4-full with 5 groups"],
    ["[IPv6:1:2:3:4:5:6:7:1.2.3.4]", "IPv6v4-full with 7 groups"],
    ["[IPv6::1]", "single leading colon"],
    ["[IPv6:1:]", "single trailing colon"],
    ["[IPv6:1::2::3]", "two '::'"],
    ["[IPv6:12345::1]", "five hex digits"],
    ["[IPv6:g::1]", "not hex"],
    ["[IPv6:::1.2.3.256]", "bad IPv4 tail"],
    ["[IPv6:1.2.3.4]", "IPv4 alone after the tag"],
    ["[IPv6:]", "empty"],
    ["[IPv6:::1:]", "trailing colon after ::"],
    ["[-:x]", "tag is only a hyphen"],
    ["[a-:x]", "tag ends with a hyphen"],
    ["[a:]", "no dcontent"],
    ["[a:b[c]", "'[' in dcontent"],
    ["[a:b\\c]", "'\\' in dcontent"],
    ["[a:b c]", "space in dcontent"],
    ["[a.b:c]", "'.' in a tag"],
    ["[]", "empty"],
    ["[1.2.3.4", "unterminated"],
    ["192.0.2.1", "no brackets"],
  ])("RFC 5321 §4.1.3: %s is refused (%s)", (literal) => {
    expect(isAddressLiteral(literal)).toBe(false);
  });
});

describe("UTF-8 helpers", () => {
  test.prop([fc.string({ unit: "binary", maxLength: 40 })])("utf8Length counts what Buffer.byteLength counts", (s) => {
    expect(utf8Length(s, 0, s.length)).toBe(Buffer.byteLength(s, "utf8"));
  });

  test("RFC 6531 §3.3: nonAsciiWidth refuses C1 controls and lone surrogates", () => {
    expect(nonAsciiWidth("\u0085", 0)).toBe(0);
    expect(nonAsciiWidth("\u00a0", 0)).toBe(1);
    expect(nonAsciiWidth("😀", 0)).toBe(2);
    expect(nonAsciiWidth("\ud83d", 0)).toBe(0);
    expect(nonAsciiWidth("\ude00", 0)).toBe(0);
  });
});

describe("properties", () => {
  test.prop([domainArb()], { numRuns: 500 })("RFC 5321 §4.1.2: every generated Domain is accepted", (d) => {
    expect(isDomain(d)).toBe(true);
  });

  test.prop([domainArb({ smtputf8: true })], { numRuns: 300 })("RFC 6531 §3.3: every generated U-label Domain is accepted with SMTPUTF8", (d) => {
    expect(isDomain(d, { smtputf8: true })).toBe(true);
  });

  test.prop([addressLiteralArb()], { numRuns: 500 })("RFC 5321 §4.1.3: every generated address literal is accepted", (a) => {
    expect(isAddressLiteral(a)).toBe(true);
    if (/^\[ipv6:/i.test(a)) expect(nodeIsIPv6(a.slice(6, -1))).toBe(true);
  });

  const ipv6ishArb = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.:::"), maxLength: 45 });
  test.prop([ipv6ishArb], { numRuns: 1000 })(
    "RFC 5321 §4.1.3: an accepted IPv6 literal is also a valid IPv6 address for node:net",
    (s) => {
      expect(!isAddressLiteral(`[IPv6:${s}]`) || nodeIsIPv6(s)).toBe(true);
    },
  );

  const ipv4ishArb = fc.string({ unit: fc.constantFrom(..."0123456789."), maxLength: 17 });
  test.prop([ipv4ishArb], { numRuns: 1000 })("RFC 5321 §4.1.3: an accepted IPv4 literal has four Snums of 0..255", (s) => {
    const ok = isAddressLiteral(`[${s}]`);
    const parts = s.split(".");
    const expected = parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
    expect(ok).toBe(expected);
  });

  test.prop([fc.string({ unit: "binary", maxLength: 40 }), fc.nat(40), fc.boolean()], { numRuns: 1000 })(
    "readers never throw and never read past the end",
    (s, start, smtputf8) => {
      const d = readDomain(s, start, smtputf8);
      const a = readAddressLiteral(s, start);
      expect(d === NOT_MATCHED || d === UTF8_NOT_ALLOWED || (d > start && d <= s.length)).toBe(true);
      expect(a === NOT_MATCHED || (a > start && a <= s.length)).toBe(true);
    },
  );
});
