import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { SmtpSyntaxError } from "./errors.js";
import {
  formatForwardPath,
  formatMailbox,
  formatReversePath,
  parseForwardPath,
  parseMailbox,
  parseReversePath,
  readForwardPath,
  readReversePath,
} from "./path.js";
import { forwardPathArb, mailboxArb, reversePathArb } from "./test-support/arbitraries.js";
import { caught, expectError } from "./test-support/errors.js";

const utf8 = { smtputf8: true } as const;
const octets = (s: string): number => Buffer.byteLength(s, "utf8");

describe("RFC 5321 §4.1.2 paths, known answers", () => {
  test.each([
    ["<user@example.com>", { localPart: "user", domain: "example.com" }],
    ["<first.last@sub.example.org>", { localPart: "first.last", domain: "sub.example.org" }],
    ["<!#$%&'*+-/=?^_`{|}~@x>", { localPart: "!#$%&'*+-/=?^_`{|}~", domain: "x" }],
    ["<user@EXAMPLE.Com>", { localPart: "user", domain: "EXAMPLE.Com" }],
    ["<u@a-b--c.x1>", { localPart: "u", domain: "a-b--c.x1" }],
    ["<u@123.example>", { localPart: "u", domain: "123.example" }],
  ])("RFC 5321 §4.1.2: Dot-string mailbox %s", (wire, mailbox) => {
    expect(parseReversePath(wire)).toEqual(mailbox);
    expect(parseForwardPath(wire)).toEqual(mailbox);
  });

  test("RFC 5321 §4.1.2: the null reverse-path <>", () => {
    expect(parseReversePath("<>")).toBeNull();
    expect(formatReversePath(null)).toBe("<>");
  });

  test.each([
    ['<"a b"@example.com>', "a b"],
    ['<"a>b"@example.com>', "a>b"],
    ['<"a\\"b"@example.com>', 'a"b'],
    ['<"a\\\\b"@example.com>', "a\\b"],
    ['<"\\a\\ b"@example.com>', "a b"],
    ['<""@example.com>', ""],
    ['<"user"@example.com>', "user"],
    ['<"<@>:,"@example.com>', "<@>:,"],
  ])("RFC 5321 §4.1.2: quoted local part %s", (wire, local) => {
    expect(parseReversePath(wire)).toEqual({ localPart: local, domain: "example.com" });
  });

  test("RFC 5321 §4.1.2: a quoted '>' does not end the path", () => {
    const line = 'MAIL FROM:<"odd>one"@example.com> SIZE=10';
    const r = readReversePath(line, 10);
    expect(r.path).toEqual({ localPart: "odd>one", domain: "example.com" });
    expect(line.slice(r.end)).toBe(" SIZE=10");
  });

  test("RFC 5321 §4.1.2: readForwardPath returns the index after '>' so parameters can follow", () => {
    const line = "RCPT TO:<Postmaster> NOTIFY=NEVER";
    expect(readForwardPath(line, 8)).toStrictEqual({ path: { postmaster: true }, end: 20 });
    const line2 = 'RCPT TO:<"a b"@[IPv6:::1]> ORCPT=rfc822;x@y';
    const r = readForwardPath(line2, 8);
    expect(r.path).toStrictEqual({ localPart: "a b", domain: "[IPv6:::1]" });
    expect(line2.slice(r.end)).toBe(" ORCPT=rfc822;x@y");
  });

  test("RFC 5321 §4.1.2 / Appendix C: a source route is read and dropped", () => {
    expect(parseForwardPath("<@a.example,@b.example:user@c.example>")).toEqual({
      localPart: "user",
      domain: "c.example",
    });
    expect(parseReversePath("<@relay.example:joe@x.example>")).toEqual({ localPart: "joe", domain: "x.example" });
  });

  test.each(["<@a.example user@c.example>", "<@:u@x>", "<@a,b:u@x>", "<@[1.2.3.4]:u@x>", "<@a.example,@:u@x>"])(
    "RFC 5321 §4.1.2: malformed source route %s",
    (wire) => expectError(() => parseForwardPath(wire), "bad-path", 501, "5.1.3"),
  );

  test.each(["<Postmaster>", "<postmaster>", "<POSTMASTER>", "<PostMaster>"])(
    "RFC 5321 §4.1.1.3: %s is the postmaster, case-insensitively",
    (wire) => {
      expect(parseForwardPath(wire)).toEqual({ postmaster: true });
    },
  );

  test("RFC 5321 §4.1.1.3: postmaster with a domain is an ordinary mailbox", () => {
    expect(parseForwardPath("<Postmaster@example.com>")).toEqual({ localPart: "Postmaster", domain: "example.com" });
    expect(formatForwardPath({ postmaster: true })).toBe("<Postmaster>");
  });

  test("RFC 5321 §4.1.1.3: <Postmaster> is not a reverse-path, <> is not a forward-path", () => {
    expectError(() => parseReversePath("<Postmaster>"), "bad-path", 501, "5.1.7");
    expectError(() => parseForwardPath("<>"), "bad-path", 501, "5.1.3");
  });
});

describe("RFC 5321 §4.1.3 address literals in paths", () => {
  test.each([
    "[192.0.2.1]",
    "[0.0.0.0]",
    "[255.255.255.255]",
    "[IPv6:2001:db8::1]",
    "[IPv6:2001:DB8:0:0:0:0:0:1]",
    "[IPv6:::1]",
    "[IPv6:::]",
    "[ipv6:fe80::]",
    "[IPv6:::ffff:192.0.2.1]",
    "[IPv6:1:2:3:4:5:6:192.0.2.1]",
    "[x-tag:some-content]",
  ])("RFC 5321 §4.1.3: <user@%s>", (literal) => {
    expect(parseForwardPath(`<user@${literal}>`)).toEqual({ localPart: "user", domain: literal });
  });

  test.each([
    "[256.0.0.1]",
    "[1.2.3]",
    "[1.2.3.4.5]",
    "[1234.1.1.1]",
    "[IPv6:1:2:3:4:5:6:7]",
    "[IPv6:1:2:3:4:5:6:7::]",
    "[IPv6:12345::]",
    "[IPv6:1::2::3]",
    "[IPv6:192.0.2.1]",
    "[IPv6:1:2:3:4:5::192.0.2.1]",
    "[tag-:x]",
    "[tag:]",
    "[:x]",
    "[a b:c]",
    "[1.2.3.4",
    "[]",
  ])("RFC 5321 §4.1.3: %s is refused", (literal) => {
    expectError(() => parseForwardPath(`<user@${literal}>`), "bad-path", 501, "5.1.3");
  });
});

describe("RFC 5321 §4.1.2 malformed paths", () => {
  test.each([
    "user@example.com",
    "<user@example.com",
    "<user>",
    "<@example.com>",
    "<user@>",
    "<.user@x>",
    "<user.@x>",
    "<us..er@x>",
    "<user@-x.com>",
    "<user@x-.com>",
    "<user@x..com>",
    "<user@x.com.>",
    "<user@.x.com>",
    "<a b@x>",
    "<a(b)@x>",
    '<"unterminated@x>',
    '<"a\\',
    "<user@x> ",
    "<user@x>>",
    "",
    "<",
    "<<a@b>>",
  ])("RFC 5321 §4.1.2: %j is refused with 501 5.1.7 / 5.1.3", (wire) => {
    expectError(() => parseReversePath(wire), "bad-path", 501, "5.1.7");
    expectError(() => parseForwardPath(wire), "bad-path", 501, "5.1.3");
  });

  test.each(["<a\u0000b@x>", "<a\rb@x>", "<a@b\r\n>", '<"a\tb"@x>', '<"a\\\tb"@x>', "<a\u007fb@x>", '<"\u007f"@x>'])(
    "RFC 5321 §4.1.2: control characters are never accepted (%j)",
    (wire) => {
      expectError(() => parseForwardPath(wire, utf8), "bad-path", 501, "5.1.3");
    },
  );

  test("RFC 6531 §3.3: C1 controls and lone surrogates are refused even with SMTPUTF8", () => {
    for (const wire of ["<a\u0085@x>", "<a@b\u009f.c>", '<"\u0080"@x>', "<a\ud800@x>", "<a\udc00b@x>", "<a@\ud83dx>"]) {
      expectError(() => parseForwardPath(wire, utf8), "bad-path", 501, "5.1.3");
    }
  });
});

describe("RFC 5321 §4.5.3.1 size limits, in octets", () => {
  const l64 = "a".repeat(64);
  const d255 = `${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(63)}`;

  test("RFC 5321 §4.5.3.1.1: a local part of 64 octets passes, 65 does not", () => {
    expect(parseForwardPath(`<${l64}@x>`)).toEqual({ localPart: l64, domain: "x" });
    expectError(() => parseForwardPath(`<${l64}a@x>`), "path-too-long", 501, "5.1.3");
    // Quotes count: the limit is on the local part as it is written.
    expectError(() => parseReversePath(`<"${"a".repeat(63)}"@x>`), "path-too-long", 501, "5.1.7");
  });

  test("RFC 5321 §4.5.3.1.2: a domain of 255 octets passes, 256 does not", () => {
    expect(d255.length).toBe(255);
    expect(parseMailbox(`a@${d255}`)).toEqual({ localPart: "a", domain: d255 });
    expectError(() => parseMailbox(`a@${d255}d`), "path-too-long", 501, "5.1.3");
  });

  test("RFC 5321 §4.5.3.1.3: a path of 256 octets passes, 257 does not", () => {
    const domain = `${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(63)}.${"d".repeat(30)}`;
    const local = "l".repeat(256 - 3 - domain.length);
    const path = `<${local}@${domain}>`;
    expect(path.length).toBe(256);
    expect(parseForwardPath(path)).toEqual({ localPart: local, domain });
    expectError(() => parseForwardPath(`<${local}l@${domain}>`), "path-too-long", 501, "5.1.3");
    // A source route counts, as it is part of the path as sent.
    expectError(() => parseForwardPath(`<@r.example:${local}@${domain}>`), "path-too-long", 501, "5.1.3");
  });

  test("RFC 6531 §3.3 with RFC 5321 §4.5.3.1.1: UTF-8 counts in octets, not characters", () => {
    const local = "用".repeat(21); // 63 octets
    expect(parseForwardPath(`<${local}@x>`, utf8)).toEqual({ localPart: local, domain: "x" });
    expectError(() => parseForwardPath(`<${local}é@x>`, utf8), "path-too-long", 501, "5.1.3");
  });
});

describe("RFC 6531 §3.3 internationalized addresses", () => {
  test("RFC 6531 §3.3: <用户@例子.广告> is accepted with SMTPUTF8", () => {
    expect(parseForwardPath("<用户@例子.广告>", utf8)).toEqual({ localPart: "用户", domain: "例子.广告" });
    expect(parseReversePath('<"用 户"@例子.广告>', utf8)).toEqual({ localPart: "用 户", domain: "例子.广告" });
    expect(parseMailbox("😀@x.example", utf8)).toEqual({ localPart: "😀", domain: "x.example" });
  });

  test.each(["<用户@例子.广告>", "<user@例子.广告>", '<"üser"@example.com>', "<u@ex.ß>"])(
    "RFC 6531 §3.5: %s without SMTPUTF8 is 553 5.6.7",
    (wire) => {
      expectError(() => parseForwardPath(wire), "utf8-not-allowed", 553, "5.6.7");
      expectError(() => parseReversePath(wire), "utf8-not-allowed", 553, "5.6.7");
    },
  );

  test("RFC 6531 §3.3: no UTF-8 in address literals or after a quoted-pair backslash", () => {
    expectError(() => parseForwardPath("<u@[IPv6:ü::1]>", utf8), "bad-path", 501, "5.1.3");
    expectError(() => parseForwardPath('<"\\ü"@x>', utf8), "bad-path", 501, "5.1.3");
  });

  test("RFC 6531 §3.3: a U-label may not start or end with a hyphen", () => {
    expectError(() => parseForwardPath("<u@-例子.x>", utf8), "bad-path", 501, "5.1.3");
    expectError(() => parseForwardPath("<u@例子-.x>", utf8), "bad-path", 501, "5.1.3");
  });
});

describe("formatting, RFC 5321 §4.1.2", () => {
  test.each([
    [{ localPart: "user", domain: "example.com" }, "user@example.com"],
    [{ localPart: "a b", domain: "x" }, '"a b"@x'],
    [{ localPart: 'a"b', domain: "x" }, '"a\\"b"@x'],
    [{ localPart: "a\\b", domain: "x" }, '"a\\\\b"@x'],
    [{ localPart: ".a", domain: "x" }, '".a"@x'],
    [{ localPart: "a..b", domain: "x" }, '"a..b"@x'],
    [{ localPart: "", domain: "x" }, '""@x'],
    [{ localPart: "a.b", domain: "[IPv6:::1]" }, "a.b@[IPv6:::1]"],
    [{ localPart: "用户", domain: "例子.广告" }, "用户@例子.广告"],
  ])("RFC 5321 §4.1.2: the local part is quoted only when it is not a Dot-string (%j)", (m, wire) => {
    expect(formatMailbox(m)).toBe(wire);
  });

  test.each([
    { localPart: "a\r\nRSET", domain: "x" },
    { localPart: "a", domain: "x\r\nRSET" },
    { localPart: "a", domain: "x>" },
    { localPart: "a", domain: "" },
    { localPart: "a\u0085", domain: "x" },
    { localPart: "\ud800", domain: "x" },
    { localPart: "a", domain: "[1.2.3.4" },
  ])("RFC 5321 §4.1.2: a value the grammar cannot carry is refused, never written (%j)", (m) => {
    expect(caught(() => formatMailbox(m)).code).toBe("bad-path");
    expect(caught(() => formatReversePath(m)).code).toBe("bad-path");
  });
});

describe("properties", () => {
  test.prop([reversePathArb()], { numRuns: 500 })("RFC 5321 §4.1.2: parseReversePath(format(p)) equals p", (p) => {
    expect(parseReversePath(formatReversePath(p))).toStrictEqual(p);
  });

  test.prop([forwardPathArb()], { numRuns: 500 })("RFC 5321 §4.1.2: parseForwardPath(format(p)) equals p", (p) => {
    expect(parseForwardPath(formatForwardPath(p))).toStrictEqual(p);
  });

  test.prop([reversePathArb(utf8), forwardPathArb(utf8)], { numRuns: 500 })(
    "RFC 6531 §3.3: paths round-trip with SMTPUTF8",
    (r, f) => {
      expect(parseReversePath(formatReversePath(r), utf8)).toStrictEqual(r);
      expect(parseForwardPath(formatForwardPath(f), utf8)).toStrictEqual(f);
    },
  );

  test.prop([mailboxArb(utf8)], { numRuns: 500 })("RFC 5321 §4.1.2: parseMailbox(formatMailbox(m)) equals m", (m) => {
    expect(parseMailbox(formatMailbox(m), utf8)).toStrictEqual(m);
  });

  test.prop([mailboxArb(utf8)], { numRuns: 300 })(
    "RFC 6531 §3.5: a non-ASCII mailbox is never accepted without SMTPUTF8",
    (m) => {
      const wire = formatForwardPath(m);
      const ascii = /^[\x20-\x7e]*$/.test(wire);
      if (ascii) expect(parseForwardPath(wire)).toStrictEqual(m);
      else expect(caught(() => parseForwardPath(wire)).code).toBe("utf8-not-allowed");
    },
  );

  test.prop([reversePathArb(utf8), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })], { numRuns: 300 })(
    "RFC 5321 §4.1.2: reading stops just after the closing '>', whatever surrounds the path",
    (p, before, after) => {
      const wire = formatReversePath(p);
      const r = readReversePath(before + wire + after, before.length, utf8);
      expect(r.path).toStrictEqual(p);
      expect(r.end).toBe(before.length + wire.length);
    },
  );

  const alphabet = fc.constantFrom(..."<>@\".\\[]:,", "a", "b", "1", "-", " ", "\r", "\n", "\t", "\u0000", "é", "用", "\ud800", "IPv6:", "::");
  const trickyArb = fc.string({ unit: alphabet, maxLength: 40 });
  const anyArb = fc.oneof(trickyArb, fc.string({ unit: "binary", maxLength: 60 }), trickyArb.map((s) => `<${s}>`));

  test.prop([anyArb, fc.boolean()], { numRuns: 1000 })(
    "any string gives a path or an SmtpSyntaxError, and what is accepted re-formats to the same value",
    (s, smtputf8) => {
      for (const parse of [parseReversePath, parseForwardPath, parseMailbox] as const) {
        let value: ReturnType<typeof parse>;
        try {
          value = parse(s, { smtputf8 });
        } catch (e) {
          expect(SmtpSyntaxError.isInstance(e)).toBe(true);
          expect([501, 553]).toContain((e as SmtpSyntaxError).reply.code);
          continue;
        }
        expect(octets(s)).toBeLessThanOrEqual(parse === parseMailbox ? 64 + 1 + 255 : 256);
        if (value === null) expect(formatReversePath(value)).toBe(s);
        else if ("postmaster" in value) expect(s.toLowerCase()).toBe("<postmaster>");
        else expect(parseMailbox(formatMailbox(value), { smtputf8 })).toStrictEqual(value);
      }
    },
  );

  test.prop([mailboxArb(utf8), fc.nat(), fc.constantFrom(..."\r\n\u0000\t\u007f\u0085")], { numRuns: 500 })(
    "a control character anywhere in a path is refused",
    (m, at, ctl) => {
      const wire = formatForwardPath(m);
      const k = 1 + (at % (wire.length - 1));
      const bad = wire.slice(0, k) + ctl + wire.slice(k);
      expect(caught(() => parseForwardPath(bad, utf8)).code).toMatch(/^(bad-path|path-too-long)$/);
    },
  );
});
