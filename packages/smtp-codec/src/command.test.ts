import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { type Command, type CommandCompat, formatCommand, type ParseCommandOptions, parseCommand } from "./command.js";
import { SmtpSyntaxError, type SmtpSyntaxErrorCode } from "./errors.js";
import {
  addressLiteralArb,
  domainArb,
  forwardPathArb,
  mailParamsArb,
  nonAsciiCharArb,
  rcptParamsArb,
  reversePathArb,
} from "./test-support/arbitraries.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Parse `line` as a string and as its UTF-8 bytes; both must give the same command. */
function parse(line: string, opts?: ParseCommandOptions): Command {
  const fromString = parseCommand(line, opts);
  expect(parseCommand(utf8(line), opts)).toEqual(fromString);
  return fromString;
}

/** What `f` throws, which must be a SmtpSyntaxError. */
function thrown(f: () => unknown): SmtpSyntaxError {
  try {
    f();
  } catch (e) {
    expect(SmtpSyntaxError.isInstance(e)).toBe(true);
    return e as SmtpSyntaxError;
  }
  throw new Error("expected a SmtpSyntaxError, nothing was thrown");
}

/** `line` fails to parse, as a string and as bytes, with `code` and the reply `basic enhanced`. */
function expectRejected(
  line: string | Uint8Array,
  code: SmtpSyntaxErrorCode,
  reply: `${number} ${number}.${number}.${number}`,
  opts?: ParseCommandOptions,
): void {
  const forms = typeof line === "string" ? [line, utf8(line)] : [line];
  for (const form of forms) {
    const e = thrown(() => parseCommand(form, opts));
    const { code: basic, enhanced } = e.reply;
    expect({ code: e.code, reply: `${basic} ${enhanced?.cls}.${enhanced?.subject}.${enhanced?.detail}` }).toEqual({
      code,
      reply,
    });
  }
}

const mailbox = (localPart: string, domain: string) => ({ localPart, domain });

describe("parseCommand: known answers", () => {
  test.each<[string, string, Command]>([
    ["RFC 5321 §4.1.1.1, §D.1: EHLO with a domain", "EHLO bar.com", { verb: "EHLO", domain: "bar.com" }],
    ["RFC 5321 §4.1.1.1: HELO with a domain", "HELO relay.example.org", { verb: "HELO", domain: "relay.example.org" }],
    ["RFC 5321 §4.1.1.1: EHLO with an IPv4 address literal", "EHLO [192.0.2.1]", { verb: "EHLO", domain: "[192.0.2.1]" }],
    [
      "RFC 5321 §4.1.1.1, §4.1.3: EHLO with an IPv6 address literal",
      "EHLO [IPv6:2001:db8::1]",
      { verb: "EHLO", domain: "[IPv6:2001:db8::1]" },
    ],
    ["RFC 2033 §4.1: LHLO", "LHLO foo.edu", { verb: "LHLO", domain: "foo.edu" }],
    [
      "RFC 5321 §4.1.1.2, §D.1: MAIL FROM:<Smith@bar.com>",
      "MAIL FROM:<Smith@bar.com>",
      { verb: "MAIL", from: mailbox("Smith", "bar.com"), params: {} },
    ],
    ["RFC 5321 §4.1.1.2, §4.5.5: the null reverse-path", "MAIL FROM:<>", { verb: "MAIL", from: null, params: {} }],
    [
      "RFC 1870 §3: MAIL with SIZE",
      "MAIL FROM:<ned@thor.innosoft.com> SIZE=500000",
      { verb: "MAIL", from: mailbox("ned", "thor.innosoft.com"), params: { size: 500000 } },
    ],
    [
      "RFC 6152 §2: MAIL with BODY=8BITMIME",
      "MAIL FROM:<ned@ymir.claremont.edu> BODY=8BITMIME",
      { verb: "MAIL", from: mailbox("ned", "ymir.claremont.edu"), params: { body: "8BITMIME" } },
    ],
    [
      "RFC 3461 §4.3, §4.4: MAIL with RET and ENVID",
      "MAIL FROM:<Alice@Pure-Heart.ORG> RET=HDRS ENVID=QQ314159",
      { verb: "MAIL", from: mailbox("Alice", "Pure-Heart.ORG"), params: { ret: "HDRS", envid: "QQ314159" } },
    ],
    [
      "RFC 4954 §5: MAIL with AUTH= (xtext)",
      "MAIL FROM:<e=mc2@example.com> AUTH=e+3Dmc2@example.com",
      { verb: "MAIL", from: mailbox("e=mc2", "example.com"), params: { auth: mailbox("e=mc2", "example.com") } },
    ],
    [
      "RFC 6531 §3.4: MAIL with a UTF-8 path and SMTPUTF8",
      "MAIL FROM:<用户@例子.广告> SMTPUTF8",
      { verb: "MAIL", from: mailbox("用户", "例子.广告"), params: { smtputf8: true } },
    ],
    [
      "RFC 5321 §4.1.2: quoted local part holding SP and >",
      'MAIL FROM:<"a >b"@example.com>',
      { verb: "MAIL", from: mailbox("a >b", "example.com"), params: {} },
    ],
    [
      "RFC 5321 §4.1.1.3, §D.1: RCPT TO:<Jones@foo.com>",
      "RCPT TO:<Jones@foo.com>",
      { verb: "RCPT", to: mailbox("Jones", "foo.com"), params: {} },
    ],
    ["RFC 5321 §4.1.1.3: RCPT TO:<Postmaster>", "RCPT TO:<Postmaster>", { verb: "RCPT", to: { postmaster: true }, params: {} }],
    ["RFC 5321 §4.1.1.3: <Postmaster> in any case", "rcpt to:<postMASTER>", { verb: "RCPT", to: { postmaster: true }, params: {} }],
    [
      "RFC 5321 §4.1.1.3: <Postmaster@Domain> is a mailbox",
      "RCPT TO:<Postmaster@foo.com>",
      { verb: "RCPT", to: mailbox("Postmaster", "foo.com"), params: {} },
    ],
    [
      "RFC 5321 §4.1.1.3, §C: a source route is read and dropped",
      "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>",
      { verb: "RCPT", to: mailbox("userc", "d.bar.org"), params: {} },
    ],
    [
      "RFC 3461 §4.1, §4.2: RCPT with NOTIFY and ORCPT",
      "RCPT TO:<Bob@Big-Bucks.COM> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob@Big-Bucks.COM",
      {
        verb: "RCPT",
        to: mailbox("Bob", "Big-Bucks.COM"),
        params: { notify: ["SUCCESS", "FAILURE"], orcpt: { addrType: "rfc822", address: "Bob@Big-Bucks.COM" } },
      },
    ],
    ["RFC 5321 §4.1.1.4: DATA", "DATA", { verb: "DATA" }],
    ["RFC 5321 §4.1.1.5: RSET", "RSET", { verb: "RSET" }],
    ["RFC 5321 §4.1.1.6: VRFY with a user name", "VRFY Smith", { verb: "VRFY", argument: "Smith" }],
    ["RFC 5321 §4.1.1.6: VRFY with a mailbox, kept verbatim", "VRFY <smith@example.com>", { verb: "VRFY", argument: "<smith@example.com>" }],
    ["RFC 5321 §4.1.1.6: VRFY with inner spaces", "VRFY John Smith", { verb: "VRFY", argument: "John Smith" }],
    ["RFC 5321 §4.1.1.7: EXPN", "EXPN Example-People", { verb: "EXPN", argument: "Example-People" }],
    ["RFC 5321 §4.1.1.8: HELP", "HELP", { verb: "HELP" }],
    ["RFC 5321 §4.1.1.8: HELP with a topic", "HELP MAIL", { verb: "HELP", argument: "MAIL" }],
    ["RFC 5321 §4.1.1.9: NOOP", "NOOP", { verb: "NOOP" }],
    ["RFC 5321 §4.1.1.9: NOOP with an argument", "NOOP keep going", { verb: "NOOP", argument: "keep going" }],
    ["RFC 5321 §4.1.1.10: QUIT", "QUIT", { verb: "QUIT" }],
    ["RFC 3207 §4: STARTTLS", "STARTTLS", { verb: "STARTTLS" }],
    ["RFC 3030 §4: BDAT 86 LAST", "BDAT 86 LAST", { verb: "BDAT", size: 86, last: true }],
    ["RFC 3030 §4: BDAT without LAST", "BDAT 100000", { verb: "BDAT", size: 100000, last: false }],
    ["RFC 3030 §4: BDAT 0 LAST", "BDAT 0 LAST", { verb: "BDAT", size: 0, last: true }],
    ["RFC 3030 §2: end-marker in any case, leading zeros", "bdat 007 last", { verb: "BDAT", size: 7, last: true }],
    [
      "RFC 3030 §2: the largest safe chunk size",
      "BDAT 9007199254740991",
      { verb: "BDAT", size: Number.MAX_SAFE_INTEGER, last: false },
    ],
    [
      "RFC 4954 §4: AUTH PLAIN with an initial response",
      "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
      { verb: "AUTH", mechanism: "PLAIN", initialResponse: utf8("test\0test\x001234") },
    ],
    [
      "RFC 4954 §4: '=' is an empty initial response",
      "AUTH PLAIN =",
      { verb: "AUTH", mechanism: "PLAIN", initialResponse: new Uint8Array(0) },
    ],
    ["RFC 4954 §4: AUTH without an initial response", "AUTH GSSAPI", { verb: "AUTH", mechanism: "GSSAPI" }],
    ["RFC 4422 §3.1: mechanism with '-' and digits", "AUTH SCRAM-SHA-256", { verb: "AUTH", mechanism: "SCRAM-SHA-256" }],
    ["RFC 4422 §3.1: mechanism with '_'", "AUTH X_OAUTH2", { verb: "AUTH", mechanism: "X_OAUTH2" }],
    ["RFC 4422 §3.1: a lower-case mechanism is upper-cased", "auth plain", { verb: "AUTH", mechanism: "PLAIN" }],
    ["RFC 4422 §3.1: a 20-character mechanism", `AUTH ${"A".repeat(20)}`, { verb: "AUTH", mechanism: "A".repeat(20) }],
    [
      "RFC 4954 §4: initial responses needing one and no padding character",
      "AUTH X YWI=",
      { verb: "AUTH", mechanism: "X", initialResponse: utf8("ab") },
    ],
    ["RFC 4648 §4: no padding", "AUTH X YWJj", { verb: "AUTH", mechanism: "X", initialResponse: utf8("abc") }],
    [
      "RFC 4648 §4: the whole alphabet",
      "AUTH X +/+/",
      { verb: "AUTH", mechanism: "X", initialResponse: new Uint8Array([0xfb, 0xff, 0xbf]) },
    ],
  ])("%s: %j", (_name, line, expected) => {
    expect(parse(line)).toEqual(expected);
  });

  test("RFC 5321 §2.4: verbs and FROM:/TO:/LAST are case-insensitive", () => {
    expect(parse("mail from:<a@b.c>")).toEqual(parse("MAIL FROM:<a@b.c>"));
    expect(parse("MaIl FrOm:<a@b.c>")).toEqual(parse("MAIL FROM:<a@b.c>"));
    expect(parse("rCpT tO:<a@b.c>")).toEqual(parse("RCPT TO:<a@b.c>"));
    expect(parse("StartTls")).toEqual({ verb: "STARTTLS" });
    expect(parse("ehlo x.y")).toEqual({ verb: "EHLO", domain: "x.y" });
    expect(parse("BDAT 1 LaSt")).toEqual({ verb: "BDAT", size: 1, last: true });
  });

  test("RFC 6531 §3.4: RCPT with a UTF-8 path when SMTPUTF8 is in force", () => {
    expect(parse("RCPT TO:<θ@例子.广告>", { smtputf8: true })).toEqual({
      verb: "RCPT",
      to: mailbox("θ", "例子.广告"),
      params: {},
    });
  });

  test("RFC 6531 §3.7.4.2: VRFY and EXPN with UTF-8 and the SMTPUTF8 parameter", () => {
    expect(parse("VRFY θ SMTPUTF8")).toEqual({ verb: "VRFY", argument: "θ SMTPUTF8" });
    expect(parse("EXPN 用户 smtputf8")).toEqual({ verb: "EXPN", argument: "用户 smtputf8" });
    expect(parse("VRFY θ", { smtputf8: true })).toEqual({ verb: "VRFY", argument: "θ" });
  });

  test("RFC 6531: HELP and NOOP may carry UTF-8 when SMTPUTF8 is in force", () => {
    expect(parse("NOOP ünïcode", { smtputf8: true })).toEqual({ verb: "NOOP", argument: "ünïcode" });
  });

  test("a result of an argument-less command is the same frozen value each time", () => {
    expect(parseCommand("DATA")).toBe(parseCommand(utf8("data")));
    expect(Object.isFrozen(parseCommand("QUIT"))).toBe(true);
  });

  test("RFC 4954 §4: the decoded initial response is a plain Uint8Array of its own", () => {
    const cmd = parseCommand("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=");
    if (cmd.verb !== "AUTH" || cmd.initialResponse === undefined) throw new Error("expected AUTH");
    expect(Object.getPrototypeOf(cmd.initialResponse)).toBe(Uint8Array.prototype);
    expect(cmd.initialResponse.buffer.byteLength).toBe(14);
  });
});

describe("parseCommand: errors", () => {
  test.each<[string, string, SmtpSyntaxErrorCode, `${number} ${number}.${number}.${number}`]>([
    ["the empty line", "", "unknown-command", "500 5.5.1"],
    ["RFC 5321 §4.2.4: an unknown verb", "FOO bar", "unknown-command", "500 5.5.1"],
    ["a verb with a suffix", "MAILX FROM:<a@b.c>", "unknown-command", "500 5.5.1"],
    ["a verb followed by HTAB", "DATA\t", "unknown-command", "500 5.5.1"],
    ["a leading SP", " QUIT", "unknown-command", "500 5.5.1"],
    ["RFC 5321 §4.1.1.4: DATA takes no argument", "DATA now", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.5: RSET takes no argument", "RSET x", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.10: QUIT takes no argument", "QUIT ", "syntax", "501 5.5.4"],
    ["RFC 3207 §4: STARTTLS takes no argument", "STARTTLS now", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.1: HELO needs a domain", "HELO", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.1: EHLO needs a domain", "EHLO ", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.1: HELO takes a Domain, not an address literal", "HELO [192.0.2.1]", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.2: '_' is not in a Domain", "EHLO my_host", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.1: one argument only", "EHLO a.b c.d", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.1: two SPs", "EHLO  a.b", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.3: a bad address literal", "EHLO [300.1.1.1]", "syntax", "501 5.5.4"],
    ["RFC 6531: EHLO is ASCII", "EHLO 例子.广告", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.5.3.1.2: a domain over 255 octets", `EHLO ${"a.".repeat(127)}ab`, "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.2: MAIL without FROM:", "MAIL <a@b.c>", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.2: MAIL FROM without a colon", "MAIL FROM <a@b.c>", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.2: no SP after the colon", "MAIL FROM: <a@b.c>", "bad-path", "501 5.1.7"],
    ["RFC 5321 §4.1.1.2: brackets are required", "MAIL FROM:a@b.c", "bad-path", "501 5.1.7"],
    ["RFC 5321 §4.1.1.2: a path is required", "MAIL FROM:", "bad-path", "501 5.1.7"],
    ["RFC 5321 §4.1.1.2: text glued to the path", "MAIL FROM:<a@b.c>SIZE=1", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.2: parameters are separated by one SP", "MAIL FROM:<a@b.c>  SIZE=1", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.2: no trailing SP", "MAIL FROM:<a@b.c> ", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.11: an unknown parameter", "MAIL FROM:<a@b.c> FOO=1", "unknown-parameter", "555 5.5.4"],
    ["RFC 1870: a bad SIZE value", "MAIL FROM:<a@b.c> SIZE=x", "bad-parameter", "501 5.5.4"],
    ["RFC 6531 §3.4: a UTF-8 reverse-path needs SMTPUTF8", "MAIL FROM:<θ@example.com>", "utf8-not-allowed", "553 5.6.7"],
    [
      "RFC 6531 §3.4: other parameters do not stand in for SMTPUTF8",
      "MAIL FROM:<θ@example.com> SIZE=1",
      "utf8-not-allowed",
      "553 5.6.7",
    ],
    ["RFC 5321 §4.1.1.3: RCPT without TO:", "RCPT <a@b.c>", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.3: a bad forward-path", "RCPT TO:<a@>", "bad-path", "501 5.1.3"],
    ["RFC 5321 §4.1.1.3: RCPT TO:<>", "RCPT TO:<>", "bad-path", "501 5.1.3"],
    ["RFC 6531 §3.4: a UTF-8 forward-path needs SMTPUTF8", "RCPT TO:<θ@example.com>", "utf8-not-allowed", "553 5.6.7"],
    ["RFC 5321 §4.5.3.1.1: a local part over 64 octets", `RCPT TO:<${"a".repeat(65)}@b.c>`, "path-too-long", "501 5.1.3"],
    ["RFC 5321 §4.1.1.6: VRFY needs an argument", "VRFY", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.6: VRFY with two SPs", "VRFY  Smith", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.6: VRFY with a trailing SP", "VRFY Smith ", "syntax", "501 5.5.4"],
    ["RFC 6531 §3.7.4.2: UTF-8 in VRFY without SMTPUTF8", "VRFY θ", "utf8-not-allowed", "553 5.6.7"],
    ["RFC 5321 §4.1.1.7: EXPN needs an argument", "EXPN ", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.8: HELP with SP and no argument", "HELP ", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1.9: NOOP with UTF-8 and no SMTPUTF8", "NOOP θ", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: BDAT needs a size", "BDAT", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: the size is digits", "BDAT x", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: no sign", "BDAT -1", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: only LAST may follow", "BDAT 1 LASTX", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: one SP before LAST", "BDAT 1  LAST", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: nothing after LAST", "BDAT 1 LAST x", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: a size beyond 2^53 - 1", "BDAT 9007199254740992", "syntax", "501 5.5.4"],
    ["RFC 3030 §2: a size with many digits", `BDAT ${"9".repeat(400)}`, "syntax", "501 5.5.4"],
    ["RFC 4954 §4: AUTH needs a mechanism", "AUTH", "syntax", "501 5.5.4"],
    ["RFC 4954 §4: AUTH with two SPs", "AUTH  PLAIN", "syntax", "501 5.5.4"],
    ["RFC 4422 §3.1: a mechanism over 20 characters", `AUTH ${"A".repeat(21)}`, "syntax", "501 5.5.4"],
    ["RFC 4422 §3.1: a character outside mech-char", "AUTH PL@IN", "syntax", "501 5.5.4"],
    ["RFC 4954 §4: SP without an initial response", "AUTH PLAIN ", "syntax", "501 5.5.4"],
    ["RFC 4954 §4: two initial responses", "AUTH PLAIN = =", "bad-base64", "501 5.5.2"],
    ["RFC 4954 §4: an incomplete quantum", "AUTH PLAIN dGVzd", "bad-base64", "501 5.5.2"],
    ["RFC 4954 §4: padding in the middle", "AUTH PLAIN dG==dGVz", "bad-base64", "501 5.5.2"],
    ["RFC 4954 §4: only padding", "AUTH PLAIN ====", "bad-base64", "501 5.5.2"],
    ["RFC 4954 §4: three padding characters", "AUTH PLAIN d===", "bad-base64", "501 5.5.2"],
    ["RFC 4954 §4: a character outside the alphabet", "AUTH PLAIN dGV*", "bad-base64", "501 5.5.2"],
    ["RFC 4954 §4: the URL-safe alphabet is not base64", "AUTH PLAIN -_-_", "bad-base64", "501 5.5.2"],
    ["RFC 4648 §3.5: non-zero pad bits (one '=')", "AUTH PLAIN YWJ=", "bad-base64", "501 5.5.2"],
    ["RFC 4648 §3.5: non-zero pad bits (two '=')", "AUTH PLAIN YR==", "bad-base64", "501 5.5.2"],
    ["RFC 5321 §4.1.1: NUL in an argument", "NOOP a\0b", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1: HTAB in an argument", "VRFY a\tb", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1: CR in a path", "MAIL FROM:<a\r@b.c>", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1: LF after a command", "RCPT TO:<a@b.c>\nRSET", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1: DEL in an argument", "HELP \x7f", "syntax", "501 5.5.4"],
    ["RFC 5321 §4.1.1: a C1 control", "VRFY a\u0085 SMTPUTF8", "syntax", "501 5.5.4"],
    ["an unpaired surrogate", "VRFY \ud800x SMTPUTF8", "syntax", "501 5.5.4"],
  ])("%s: %j", (_name, line, code, reply) => {
    // An unpaired surrogate has no UTF-8 form; its bytes are tested below.
    if (/[\ud800-\udfff]/.test(line)) {
      const e = thrown(() => parseCommand(line));
      expect(e.code).toBe(code);
    } else {
      expectRejected(line, code, reply);
    }
  });

  test("RFC 6531 §3.4: SMTPUTF8 in force does not allow a UTF-8 reverse-path without the parameter", () => {
    expectRejected("MAIL FROM:<θ@example.com>", "utf8-not-allowed", "553 5.6.7", { smtputf8: true });
  });

  test.each([
    ["a truncated sequence", [0x56, 0x52, 0x46, 0x59, 0x20, 0xce]],
    ["a lone continuation byte", [0x4e, 0x4f, 0x4f, 0x50, 0x20, 0x80]],
    ["an overlong encoding of '/'", [0x56, 0x52, 0x46, 0x59, 0x20, 0xc0, 0xaf]],
    ["an encoded surrogate", [0x56, 0x52, 0x46, 0x59, 0x20, 0xed, 0xa0, 0x80]],
    ["Latin-1 in a path", [...utf8("MAIL FROM:<"), 0xe9, ...utf8("@b.c> SMTPUTF8")]],
  ])("RFC 3629: invalid UTF-8 (%s) is 501 5.5.4", (_name, octets) => {
    expectRejected(new Uint8Array(octets), "syntax", "501 5.5.4", { smtputf8: true });
  });

  test("a UTF-8 BOM after the verb is kept as text, not dropped", () => {
    expect(parseCommand(new Uint8Array([...utf8("NOOP "), 0xef, 0xbb, 0xbf]), { smtputf8: true })).toEqual({
      verb: "NOOP",
      argument: "\ufeff",
    });
  });

  test("RFC 4954 §4, RFC 5321 §7.8: error texts never echo the initial response", () => {
    const e = thrown(() => parseCommand("AUTH PLAIN c2VjcmV0*"));
    expect(e.message).not.toContain("c2VjcmV0");
    expect(JSON.stringify(e.reply)).not.toContain("c2VjcmV0");
  });
});

describe("parseCommand: opt-in compatibility", () => {
  const cases: readonly [keyof CommandCompat, string, Command][] = [
    ["spaceAfterColon", "MAIL FROM: <a@b.c>", { verb: "MAIL", from: mailbox("a", "b.c"), params: {} }],
    ["spaceAfterColon", "RCPT TO:  <a@b.c> NOTIFY=NEVER", { verb: "RCPT", to: mailbox("a", "b.c"), params: { notify: "NEVER" } }],
    ["missingBrackets", "MAIL FROM:a@b.c SIZE=10", { verb: "MAIL", from: mailbox("a", "b.c"), params: { size: 10 } }],
    ["missingBrackets", "RCPT TO:a@b.c", { verb: "RCPT", to: mailbox("a", "b.c"), params: {} }],
    ["missingBrackets", "RCPT TO:postmaster", { verb: "RCPT", to: { postmaster: true }, params: {} }],
    ["trailingWhitespace", "MAIL FROM:<a@b.c> \t ", { verb: "MAIL", from: mailbox("a", "b.c"), params: {} }],
    ["trailingWhitespace", "QUIT ", { verb: "QUIT" }],
    ["trailingWhitespace", "DATA\t", { verb: "DATA" }],
    ["trailingWhitespace", "HELP ", { verb: "HELP" }],
    ["trailingWhitespace", "VRFY Smith  ", { verb: "VRFY", argument: "Smith" }],
    ["anyHeloArgument", "EHLO my_host", { verb: "EHLO", domain: "my_host" }],
    ["anyHeloArgument", "HELO [192.0.2.1]", { verb: "HELO", domain: "[192.0.2.1]" }],
  ];

  test.each(cases)("%s accepts %j", (flag, line, expected) => {
    expect(() => parseCommand(line)).toThrow(SmtpSyntaxError);
    expect(parse(line, { compat: { [flag]: true } })).toEqual(expected);
  });

  test("spaceAfterColon and missingBrackets together", () => {
    expect(parse("MAIL FROM: a@b.c", { compat: { spaceAfterColon: true, missingBrackets: true } })).toEqual({
      verb: "MAIL",
      from: mailbox("a", "b.c"),
      params: {},
    });
  });

  test.each<[CommandCompat, string, SmtpSyntaxErrorCode]>([
    // An empty bare path is not the null path: "MAIL FROM:" stays an error.
    [{ missingBrackets: true }, "MAIL FROM:", "bad-path"],
    [{ missingBrackets: true, spaceAfterColon: true }, "MAIL FROM: ", "bad-path"],
    // A bare path still gets the full path checks, and cannot hide a ">" in it.
    [{ missingBrackets: true }, "MAIL FROM:a>b@c.d", "bad-path"],
    [{ missingBrackets: true }, "MAIL FROM:a@c.d>x", "syntax"],
    [{ missingBrackets: true }, "RCPT TO:a@", "bad-path"],
    [{ missingBrackets: true }, "RCPT TO:θ@b.c", "utf8-not-allowed"],
    // anyHeloArgument is still one word of printable ASCII.
    [{ anyHeloArgument: true }, "EHLO a b", "syntax"],
    [{ anyHeloArgument: true }, "EHLO θ", "syntax"],
    [{ anyHeloArgument: true }, "EHLO", "syntax"],
    // trailingWhitespace drops only the end of the line.
    [{ trailingWhitespace: true }, "MAIL FROM:<a@b.c>  SIZE=1 ", "syntax"],
    [{ trailingWhitespace: true }, " \t ", "unknown-command"],
  ])("compat %j still rejects %j", (compat, line, code) => {
    expect(thrown(() => parseCommand(line, { compat })).code).toBe(code);
  });
});

describe("formatCommand: known answers", () => {
  test.each<[string, Command, string]>([
    ["RFC 5321 §4.1.1.1", { verb: "EHLO", domain: "bar.com" }, "EHLO bar.com\r\n"],
    ["RFC 5321 §4.1.1.1", { verb: "HELO", domain: "bar.com" }, "HELO bar.com\r\n"],
    ["RFC 5321 §4.5.3.1.2: a 255-octet domain", { verb: "EHLO", domain: `${"a.".repeat(127)}a` }, `EHLO ${"a.".repeat(127)}a\r\n`],
    ["RFC 2033 §4.1", { verb: "LHLO", domain: "[192.0.2.1]" }, "LHLO [192.0.2.1]\r\n"],
    ["RFC 5321 §D.1", { verb: "MAIL", from: mailbox("Smith", "bar.com"), params: {} }, "MAIL FROM:<Smith@bar.com>\r\n"],
    ["RFC 5321 §4.5.5", { verb: "MAIL", from: null, params: {} }, "MAIL FROM:<>\r\n"],
    [
      "RFC 1870 §3",
      { verb: "MAIL", from: mailbox("ned", "thor.innosoft.com"), params: { size: 500000 } },
      "MAIL FROM:<ned@thor.innosoft.com> SIZE=500000\r\n",
    ],
    [
      "RFC 6531 §3.4",
      { verb: "MAIL", from: mailbox("用户", "例子.广告"), params: { smtputf8: true } },
      "MAIL FROM:<用户@例子.广告> SMTPUTF8\r\n",
    ],
    ["RFC 5321 §D.1", { verb: "RCPT", to: mailbox("Jones", "foo.com"), params: {} }, "RCPT TO:<Jones@foo.com>\r\n"],
    ["RFC 5321 §4.1.1.3", { verb: "RCPT", to: { postmaster: true }, params: {} }, "RCPT TO:<Postmaster>\r\n"],
    ["RFC 5321 §4.1.1.4", { verb: "DATA" }, "DATA\r\n"],
    ["RFC 5321 §4.1.1.5", { verb: "RSET" }, "RSET\r\n"],
    ["RFC 5321 §4.1.1.6", { verb: "VRFY", argument: "Smith" }, "VRFY Smith\r\n"],
    ["RFC 5321 §4.1.1.7", { verb: "EXPN", argument: "Example-People" }, "EXPN Example-People\r\n"],
    ["RFC 5321 §4.1.1.8", { verb: "HELP" }, "HELP\r\n"],
    ["RFC 5321 §4.1.1.8", { verb: "HELP", argument: "MAIL" }, "HELP MAIL\r\n"],
    ["RFC 5321 §4.1.1.9", { verb: "NOOP" }, "NOOP\r\n"],
    ["RFC 5321 §4.1.1.10", { verb: "QUIT" }, "QUIT\r\n"],
    ["RFC 3207 §4", { verb: "STARTTLS" }, "STARTTLS\r\n"],
    ["RFC 3030 §4", { verb: "BDAT", size: 86, last: true }, "BDAT 86 LAST\r\n"],
    ["RFC 3030 §4", { verb: "BDAT", size: 100000, last: false }, "BDAT 100000\r\n"],
    [
      "RFC 4954 §4",
      { verb: "AUTH", mechanism: "PLAIN", initialResponse: utf8("test\0test\x001234") },
      "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n",
    ],
    ["RFC 4954 §4", { verb: "AUTH", mechanism: "PLAIN", initialResponse: new Uint8Array(0) }, "AUTH PLAIN =\r\n"],
    ["RFC 4954 §4", { verb: "AUTH", mechanism: "GSSAPI" }, "AUTH GSSAPI\r\n"],
    [
      "RFC 4954 §4: a view into a larger buffer encodes only its own bytes",
      { verb: "AUTH", mechanism: "X", initialResponse: new Uint8Array([1, 0x61, 0x62, 0x63, 2]).subarray(1, 4) },
      "AUTH X YWJj\r\n",
    ],
  ])("%s: %j", (_name, cmd, wire) => {
    expect(formatCommand(cmd)).toBe(wire);
  });

  test.each<[string, Command, SmtpSyntaxErrorCode]>([
    ["CR LF in a VRFY argument (command injection)", { verb: "VRFY", argument: "a\r\nRSET" }, "syntax"],
    ["an empty VRFY argument", { verb: "VRFY", argument: "" }, "syntax"],
    ["an EXPN argument with a trailing SP", { verb: "EXPN", argument: "x " }, "syntax"],
    ["a NOOP argument with a leading SP", { verb: "NOOP", argument: " x" }, "syntax"],
    ["NUL in a HELP argument", { verb: "HELP", argument: "a\0" }, "syntax"],
    ["an unpaired surrogate in a VRFY argument", { verb: "VRFY", argument: "\udc00" }, "syntax"],
    ["a lower-case mechanism (not sasl-mech)", { verb: "AUTH", mechanism: "plain" }, "syntax"],
    ["an empty mechanism", { verb: "AUTH", mechanism: "" }, "syntax"],
    ["a 21-character mechanism", { verb: "AUTH", mechanism: "A".repeat(21) }, "syntax"],
    ["a mechanism with SP", { verb: "AUTH", mechanism: "PLAIN X" }, "syntax"],
    ["a negative BDAT size", { verb: "BDAT", size: -1, last: false }, "syntax"],
    ["a fractional BDAT size", { verb: "BDAT", size: 1.5, last: false }, "syntax"],
    ["an unsafe BDAT size", { verb: "BDAT", size: 2 ** 53, last: false }, "syntax"],
    ["a NaN BDAT size", { verb: "BDAT", size: Number.NaN, last: true }, "syntax"],
    ["an EHLO argument that is no domain", { verb: "EHLO", domain: "a b\r\nQUIT" }, "syntax"],
    ["an address literal in HELO", { verb: "HELO", domain: "[192.0.2.1]" }, "syntax"],
    ["a UTF-8 domain in EHLO", { verb: "EHLO", domain: "例子.广告" }, "syntax"],
    ["a UTF-8 reverse-path without SMTPUTF8", { verb: "MAIL", from: mailbox("θ", "b.c"), params: {} }, "utf8-not-allowed"],
    ["CR LF in a local part", { verb: "MAIL", from: mailbox("a\r\n", "b.c"), params: {} }, "bad-path"],
  ])("RFC 5321 §4.1.1: refuses %s", (_name, cmd, code) => {
    expect(thrown(() => formatCommand(cmd)).code).toBe(code);
  });
});

/** A VRFY/EXPN/HELP/NOOP argument: printable, no SP at either end. */
const argumentArb = (utf8Allowed: boolean): fc.Arbitrary<string> =>
  fc
    .string({
      unit: utf8Allowed
        ? fc.oneof({ weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) }, nonAsciiCharArb())
        : "grapheme-ascii",
      minLength: 1,
      maxLength: 40,
    })
    .filter((s) => !s.startsWith(" ") && !s.endsWith(" "));

const MECH_CHARS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"];

/**
 * Any valid command. With `smtputf8`, paths and free-text arguments may hold UTF-8, and the
 * line is to be parsed with SMTPUTF8 in force.
 */
const commandArb = (smtputf8: boolean): fc.Arbitrary<Command> =>
  fc.oneof(
    domainArb().map((domain): Command => ({ verb: "HELO", domain })),
    fc
      .tuple(fc.constantFrom("EHLO" as const, "LHLO" as const), fc.oneof(domainArb(), addressLiteralArb()))
      .map(([verb, domain]): Command => ({ verb, domain })),
    mailParamsArb().chain((params) =>
      reversePathArb({ smtputf8: smtputf8 && params.smtputf8 === true }).map(
        (from): Command => ({ verb: "MAIL", from, params }),
      ),
    ),
    fc
      .tuple(forwardPathArb({ smtputf8 }), rcptParamsArb())
      .map(([to, params]): Command => ({ verb: "RCPT", to, params })),
    fc.constantFrom<Command>({ verb: "DATA" }, { verb: "RSET" }, { verb: "QUIT" }, { verb: "STARTTLS" }),
    fc.constantFrom<Command>({ verb: "HELP" }, { verb: "NOOP" }),
    fc
      .tuple(fc.constantFrom("VRFY" as const, "EXPN" as const, "HELP" as const, "NOOP" as const), argumentArb(smtputf8))
      .map(([verb, argument]): Command => ({ verb, argument })),
    fc.record({ size: fc.maxSafeNat(), last: fc.boolean() }).map((b): Command => ({ verb: "BDAT", ...b })),
    fc
      .record(
        {
          mechanism: fc.string({ unit: fc.constantFrom(...MECH_CHARS), minLength: 1, maxLength: 20 }),
          initialResponse: fc.uint8Array({ maxLength: 64 }),
        },
        { requiredKeys: ["mechanism"] },
      )
      .map((a): Command => ({ verb: "AUTH", ...a })),
  );

/** The line `formatCommand` gives, without its CRLF, as `parseCommand` takes it. */
const lineOf = (cmd: Command): string => {
  const wire = formatCommand(cmd);
  expect(wire.endsWith("\r\n")).toBe(true);
  return wire.slice(0, -2);
};

/** Every compatibility switch on. */
const LENIENT: CommandCompat = {
  spaceAfterColon: true,
  missingBrackets: true,
  trailingWhitespace: true,
  anyHeloArgument: true,
};

describe("properties", () => {
  test.prop([commandArb(false)], { numRuns: 500 })("parse(format(c)) equals c (SMTPUTF8 not in force)", (cmd) => {
    expect(parse(lineOf(cmd))).toEqual(cmd);
  });

  test.prop([commandArb(true)], { numRuns: 500 })("RFC 6531: parse(format(c)) equals c (SMTPUTF8 in force)", (cmd) => {
    expect(parse(lineOf(cmd), { smtputf8: true })).toEqual(cmd);
  });

  test.prop([commandArb(true)], { numRuns: 300 })(
    "the compatibility switches never change how a well-formed line parses",
    (cmd) => {
      const line = lineOf(cmd);
      expect(parseCommand(line, { smtputf8: true, compat: LENIENT })).toEqual(parseCommand(line, { smtputf8: true }));
    },
  );

  test.prop([commandArb(true), fc.nat()], { numRuns: 300 })(
    "RFC 5321 §2.4: the case of the verb and of FROM:/TO:/LAST never matters",
    (cmd, mask) => {
      const line = lineOf(cmd);
      const keywordEnd = line.match(/^(MAIL FROM:|RCPT TO:|STARTTLS|BDAT \d+ LAST$|\w{4})/)?.[0].length ?? 0;
      let mixed = "";
      for (let i = 0; i < line.length; i++) {
        const ch = line[i] as string;
        const inKeyword = i < keywordEnd && !(cmd.verb === "BDAT" && /\d/.test(ch));
        mixed += inKeyword && (mask >> i % 31) & 1 ? ch.toLowerCase() : ch;
      }
      expect(parse(mixed, { smtputf8: true })).toEqual(cmd);
    },
  );

  /** parseCommand either returns or throws a SmtpSyntaxError with a 5xx reply, never anything else. */
  const parsesOrRejects = (line: string | Uint8Array, opts: ParseCommandOptions): void => {
    try {
      parseCommand(line, opts);
    } catch (e) {
      expect(SmtpSyntaxError.isInstance(e)).toBe(true);
      expect((e as SmtpSyntaxError).reply.code).toBeGreaterThanOrEqual(500);
    }
  };

  const optsArb: fc.Arbitrary<ParseCommandOptions> = fc.record(
    {
      smtputf8: fc.boolean(),
      compat: fc.record(
        {
          spaceAfterColon: fc.boolean(),
          missingBrackets: fc.boolean(),
          trailingWhitespace: fc.boolean(),
          anyHeloArgument: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );

  test.prop([fc.uint8Array({ maxLength: 80 }), optsArb], { numRuns: 1000 })(
    "arbitrary bytes never throw anything but SmtpSyntaxError",
    (bytes, opts) => parsesOrRejects(bytes, opts),
  );

  test.prop([fc.string({ unit: "binary", maxLength: 80 }), optsArb], { numRuns: 1000 })(
    "arbitrary strings never throw anything but SmtpSyntaxError",
    (s, opts) => parsesOrRejects(s, opts),
  );

  /** A valid line with a few characters replaced, inserted or deleted: close to the grammar. */
  const mutatedLineArb = fc
    .tuple(
      commandArb(true),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom("replace", "insert", "delete"),
          fc.constantFrom(" ", "<", ">", ":", "@", '"', "\\", "=", "\0", "\t", "\r", "é", "\ud800", "A", "9", ""),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([cmd, edits]) => {
      let line = lineOf(cmd);
      for (const [at, op, ch] of edits) {
        const i = line.length === 0 ? 0 : at % line.length;
        line =
          op === "insert"
            ? line.slice(0, i) + ch + line.slice(i)
            : line.slice(0, i) + (op === "replace" ? ch : "") + line.slice(i + 1);
      }
      return line;
    });

  test.prop([mutatedLineArb, optsArb], { numRuns: 1000 })(
    "lines close to valid ones never throw anything but SmtpSyntaxError",
    (line, opts) => parsesOrRejects(line, opts),
  );

  test.prop([mutatedLineArb, optsArb], { numRuns: 500 })(
    "a string and its UTF-8 bytes parse alike (same command or same error code)",
    (line, opts) => {
      if (/[\ud800-\udfff]/.test(line.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) return; // no UTF-8 form
      const outcome = (input: string | Uint8Array) => {
        try {
          return { ok: parseCommand(input, opts) };
        } catch (e) {
          return { error: (e as SmtpSyntaxError).code };
        }
      };
      expect(outcome(utf8(line))).toEqual(outcome(line));
    },
  );

  const base64TextArb = fc.string({
    unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
    minLength: 1,
    maxLength: 12,
  });

  test.prop([fc.uint8Array({ maxLength: 48 }), base64TextArb])(
    "RFC 4648 §4: AUTH initial responses round-trip; only canonical base64 is accepted",
    (bytes, text) => {
      const cmd: Command = { verb: "AUTH", mechanism: "PLAIN", initialResponse: bytes };
      expect(parse(lineOf(cmd))).toEqual(cmd);
      // Any other text decodes only if it is the canonical encoding of what it decodes to.
      try {
        const got = parseCommand(`AUTH PLAIN ${text}`);
        if (got.verb !== "AUTH" || got.initialResponse === undefined) throw new Error("expected AUTH");
        const canonical = Buffer.from(got.initialResponse).toString("base64");
        expect(canonical === "" ? "=" : canonical).toBe(text);
      } catch (e) {
        expect((e as SmtpSyntaxError).code).toBe("bad-base64");
      }
    },
  );
});
