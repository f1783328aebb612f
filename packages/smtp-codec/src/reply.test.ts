import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { SmtpSyntaxError } from "./errors.js";
import {
  type EnhancedCode,
  formatEnhancedCode,
  formatReply,
  tryParseEnhancedCode,
  parseReply,
  parseReplyLine,
  type Reply,
  replyFromLines,
} from "./reply.js";
import { replyArbOf, textCharArb } from "./test-support/replies.js";

// ---- arbitraries ----

const enhancedArb: fc.Arbitrary<EnhancedCode> = fc.record({
  cls: fc.constantFrom(2 as const, 4 as const, 5 as const),
  subject: fc.oneof(fc.nat(9), fc.nat(999)),
  detail: fc.oneof(fc.nat(9), fc.nat(999)),
});

const plainTextArb = fc.string({ unit: textCharArb, maxLength: 40 });
/** Some lines start with a status code of their own, to exercise the stripping rules. */
const lineTextArb = fc.oneof(
  { weight: 4, arbitrary: plainTextArb },
  fc
    .tuple(enhancedArb.map((e) => `${e.cls}.${e.subject}.${e.detail}`), fc.constantFrom("", " ", "  "), plainTextArb)
    .map(([code, sep, rest]) => code + sep + rest),
);

/** Replies whose lines are valid textstrings, some starting with a status code (see replyArbOf). */
const replyArb: fc.Arbitrary<Reply> = replyArbOf({
  enhanced: fc.record({ subject: fc.nat(999), detail: fc.nat(999) }),
  line: lineTextArb,
  maxLines: 5,
});

/** Run `f`, expect it to throw SmtpSyntaxError with code "bad-reply", and return the error. */
function badReply(f: () => unknown): SmtpSyntaxError {
  try {
    f();
  } catch (e) {
    expect(SmtpSyntaxError.isInstance(e)).toBe(true);
    expect((e as SmtpSyntaxError).code).toBe("bad-reply");
    return e as SmtpSyntaxError;
  }
  throw new Error("expected a bad-reply SmtpSyntaxError");
}

describe("tryParseEnhancedCode / formatEnhancedCode (RFC 3463 §2)", () => {
  test.each([
    ["2.0.0", { cls: 2, subject: 0, detail: 0 }],
    ["5.1.1", { cls: 5, subject: 1, detail: 1 }],
    ["4.7.0", { cls: 4, subject: 7, detail: 0 }],
    ["5.999.999", { cls: 5, subject: 999, detail: 999 }],
    ["4.10.20", { cls: 4, subject: 10, detail: 20 }],
  ])("RFC 3463 §2: %s is class.subject.detail", (text, code) => {
    expect(tryParseEnhancedCode(text)).toEqual(code);
    expect(formatEnhancedCode(code as EnhancedCode)).toBe(text);
  });

  test.each([
    ["3.0.0", "class is 2, 4 or 5"],
    ["1.1.1", "class is 2, 4 or 5"],
    ["5.1", "three parts"],
    ["5.1.1.1", "three parts"],
    ["5.1000.1", "subject = 1*3digit"],
    ["5.1.1000", "detail = 1*3digit"],
    ["5.01.1", "no leading zeros"],
    ["5.1.00", "no leading zeros"],
    ["5..1", "subject = 1*3digit"],
    [" 5.1.1", "no whitespace inside or around"],
    ["5.1.1 ", "no whitespace inside or around"],
    ["5.1.a", "digits only"],
    ["", "empty"],
  ])("RFC 3463 §2: %s is not a status code (%s)", (text) => {
    expect(tryParseEnhancedCode(text)).toBeUndefined();
  });

  test.each([
    [{ cls: 3, subject: 0, detail: 0 }],
    [{ cls: 5, subject: 1000, detail: 0 }],
    [{ cls: 5, subject: 0, detail: -1 }],
    [{ cls: 5, subject: 1.5, detail: 0 }],
    [{ cls: 5, subject: Number.NaN, detail: 0 }],
  ])("RFC 3463 §2: formatEnhancedCode refuses %o", (code) => {
    badReply(() => formatEnhancedCode(code as EnhancedCode));
  });

  test.prop([enhancedArb])("RFC 3463 §2: tryParseEnhancedCode(formatEnhancedCode(e)) equals e", (e) => {
    expect(tryParseEnhancedCode(formatEnhancedCode(e))).toEqual(e);
  });

  test.prop([fc.string()])("tryParseEnhancedCode never throws, and what it accepts formats back the same", (s) => {
    const e = tryParseEnhancedCode(s);
    if (e !== undefined) expect(formatEnhancedCode(e)).toBe(s);
  });
});

describe("parseReply: known answers", () => {
  test.each<[string, string, Reply]>([
    ["RFC 5321 §D.1 greeting", "220 foo.com Simple Mail Transfer Service Ready\r\n", {
      code: 220,
      lines: ["foo.com Simple Mail Transfer Service Ready"],
    }],
    ["RFC 5321 §D.1 EHLO reply", "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n", {
      code: 250,
      lines: ["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"],
    }],
    ["RFC 5321 §D.1 RCPT refused", "550 No such user here\r\n", { code: 550, lines: ["No such user here"] }],
    ["RFC 5321 §D.1 DATA", "354 Start mail input; end with <CRLF>.<CRLF>\r\n", {
      code: 354,
      lines: ["Start mail input; end with <CRLF>.<CRLF>"],
    }],
    ["RFC 2034 §6 MAIL accepted", "250 2.1.0 Originator <ned@ymir.claremont.edu> ok\r\n", {
      code: 250,
      enhanced: { cls: 2, subject: 1, detail: 0 },
      lines: ["Originator <ned@ymir.claremont.edu> ok"],
    }],
    ["RFC 2034 §6 RCPT accepted", "250 2.1.5 Recipient <mrose@dbc.mtview.ca.us> ok\r\n", {
      code: 250,
      enhanced: { cls: 2, subject: 1, detail: 5 },
      lines: ["Recipient <mrose@dbc.mtview.ca.us> ok"],
    }],
    ["RFC 2034 §6 unknown mailbox", '550 5.1.1 Mailbox "nosuchuser" does not exist\r\n', {
      code: 550,
      enhanced: { cls: 5, subject: 1, detail: 1 },
      lines: ['Mailbox "nosuchuser" does not exist'],
    }],
    ["RFC 2034 §6 multiline, code on every line",
      "551-5.7.1 Forwarding to remote hosts disabled\r\n551 5.7.1 Select another host to act as your forwarder\r\n", {
      code: 551,
      enhanced: { cls: 5, subject: 7, detail: 1 },
      lines: ["Forwarding to remote hosts disabled", "Select another host to act as your forwarder"],
    }],
    ["RFC 2034 §6 QUIT", "221 2.0.0 Goodbye\r\n", {
      code: 221,
      enhanced: { cls: 2, subject: 0, detail: 0 },
      lines: ["Goodbye"],
    }],
    ["RFC 2034 §4: the class must be the code's first digit", "250 5.1.1 looks like a code\r\n", {
      code: 250,
      lines: ["5.1.1 looks like a code"],
    }],
    ["RFC 2034 §4: no enhanced code on 3xx", "354 2.0.0 go ahead\r\n", { code: 354, lines: ["2.0.0 go ahead"] }],
    ["RFC 3463 §2: a leading zero is not a status code", "550 5.01.1 nope\r\n", {
      code: 550,
      lines: ["5.01.1 nope"],
    }],
    ["RFC 2034 §4: a code alone on the line", "250 2.0.0\r\n", {
      code: 250,
      enhanced: { cls: 2, subject: 0, detail: 0 },
      lines: [""],
    }],
    ["RFC 2034 §4: a line with another code keeps it", "550-5.1.1 first\r\n550-5.7.1 second\r\n550 5.1.1 third\r\n", {
      code: 550,
      enhanced: { cls: 5, subject: 1, detail: 1 },
      lines: ["first", "5.7.1 second", "third"],
    }],
    ["RFC 2034 §4: a line without the code keeps its text", "550-5.1.1 first\r\n550 plain\r\n", {
      code: 550,
      enhanced: { cls: 5, subject: 1, detail: 1 },
      lines: ["first", "plain"],
    }],
    ["RFC 2034 §4: only one SP after the code is the separator", "250 2.0.0  two spaces\r\n", {
      code: 250,
      enhanced: { cls: 2, subject: 0, detail: 0 },
      lines: [" two spaces"],
    }],
    ["RFC 2034 §4: the code must be followed by SP", "250 2.0.0.1 version\r\n", {
      code: 250,
      lines: ["2.0.0.1 version"],
    }],
    ["RFC 5321 §4.2.1: code alone, clients MUST be prepared for the SP to be omitted", "250\r\n", { code: 250, lines: [""] }],
    ["RFC 5321 §4.2: empty continuation", "250-\r\n250 end\r\n", { code: 250, lines: ["", "end"] }],
    ["RFC 5321 §4.2: code and SP with nothing after", "250 \r\n", { code: 250, lines: [""] }],
    ["RFC 5321 §4.2: text keeps leading and trailing whitespace", "250   padded \t\r\n", {
      code: 250,
      lines: ["  padded \t"],
    }],
    ["RFC 5321 §4.2: bare LF endings are tolerated", "250-a\n250 b\n", { code: 250, lines: ["a", "b"] }],
    ["RFC 5321 §4.2: text is not policed (non-ASCII kept)", "550 Adresse inconnue: é\r\n", {
      code: 550,
      lines: ["Adresse inconnue: é"],
    }],
  ])("%s", (_name, text, reply) => {
    expect(parseReply(text)).toEqual(reply);
  });

  test.each([
    ["RFC 5321 §4.2: empty input", ""],
    ["RFC 5321 §4.2: no CRLF at the end", "250 OK"],
    ["RFC 5321 §4.2: two-digit code", "25 OK\r\n"],
    ["RFC 5321 §4.2: four-digit code", "2500 OK\r\n"],
    ["RFC 5321 §4.2.1: first digit 1", "150 OK\r\n"],
    ["RFC 5321 §4.2.1: first digit 6", "650 OK\r\n"],
    ["RFC 5321 §4.2.1: second digit 6", "260 OK\r\n"],
    ["RFC 5321 §4.2: letters for a code", "abc OK\r\n"],
    ["RFC 5321 §4.2: tab as separator", "250\tOK\r\n"],
    ["RFC 5321 §4.2: leading space", " 250 OK\r\n"],
    ["RFC 5321 §4.2: empty line", "\r\n"],
    ["RFC 5321 §4.2.1: codes differ across lines", "250-one\r\n251 two\r\n"],
    ["RFC 5321 §4.2: no final line", "250-one\r\n250-two\r\n"],
    ["RFC 5321 §4.2: a line after the final one", "250 one\r\n250 two\r\n"],
  ])("%s is bad-reply", (_name, text) => {
    const error = badReply(() => parseReply(text));
    expect(error.reply).toEqual({ code: 451, enhanced: { cls: 4, subject: 5, detail: 0 }, lines: [error.message] });
  });

  test("RFC 5321 §4.2: parseReplyLine gives the code, the separator and the raw text", () => {
    expect(parseReplyLine("250-PIPELINING")).toEqual({ code: 250, last: false, text: "PIPELINING" });
    expect(parseReplyLine("250 OK")).toEqual({ code: 250, last: true, text: "OK" });
    expect(parseReplyLine("221")).toEqual({ code: 221, last: true, text: "" });
  });

  test("RFC 5321 §4.2: replyFromLines refuses no lines and a final line in the middle", () => {
    badReply(() => replyFromLines([]));
    badReply(() =>
      replyFromLines([
        { code: 250, last: true, text: "a" },
        { code: 250, last: true, text: "b" },
      ]),
    );
  });
});

describe("formatReply: known answers", () => {
  test.each<[string, Reply, string]>([
    ["RFC 5321 §4.2: one line", { code: 250, lines: ["OK"] }, "250 OK\r\n"],
    ["RFC 5321 §4.2.1: empty final text still gets the SP", { code: 250, lines: [""] }, "250 \r\n"],
    ["RFC 5321 §4.2: multiline", { code: 250, lines: ["foo.com greets bar.com", "8BITMIME", "HELP"] },
      "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n"],
    ["RFC 5321 §4.2: empty continuation", { code: 214, lines: ["", "end"] }, "214-\r\n214 end\r\n"],
    ["RFC 2034 §6: enhanced code on every line", {
      code: 551,
      enhanced: { cls: 5, subject: 7, detail: 1 },
      lines: ["Forwarding to remote hosts disabled", "Select another host to act as your forwarder"],
    }, "551-5.7.1 Forwarding to remote hosts disabled\r\n551 5.7.1 Select another host to act as your forwarder\r\n"],
    ["RFC 2034 §4: enhanced code with empty text", { code: 221, enhanced: { cls: 2, subject: 0, detail: 0 }, lines: ["", ""] },
      "221-2.0.0\r\n221 2.0.0\r\n"],
    ["RFC 5321 §4.2: tab is allowed in textstring", { code: 250, lines: ["a\tb"] }, "250 a\tb\r\n"],
  ])("%s", (_name, reply, wire) => {
    expect(formatReply(reply)).toBe(wire);
    expect(parseReply(wire)).toEqual(reply);
  });

  test.each<[string, Reply]>([
    ["RFC 5321 §4.2: CR in text", { code: 250, lines: ["a\rb"] }],
    ["RFC 5321 §4.2: LF in text (reply injection)", { code: 250, lines: ["OK\r\n250 forged"] }],
    ["RFC 5321 §4.2: NUL in text", { code: 250, lines: ["a\0b"] }],
    ["RFC 5321 §4.2: DEL in text", { code: 250, lines: ["a\x7fb"] }],
    ["RFC 5321 §4.2: non-ASCII in text", { code: 250, lines: ["café"] }],
    ["RFC 5321 §4.2: no lines", { code: 250, lines: [] }],
    ["RFC 5321 §4.2.1: code 600", { code: 600, lines: ["x"] }],
    ["RFC 5321 §4.2.1: code 199", { code: 199, lines: ["x"] }],
    ["RFC 5321 §4.2.1: code 260", { code: 260, lines: ["x"] }],
    ["RFC 5321 §4.2.1: code 25", { code: 25, lines: ["x"] }],
    ["RFC 5321 §4.2.1: code 250.5", { code: 250.5, lines: ["x"] }],
    ["RFC 2034 §4: class differs from the code", { code: 250, enhanced: { cls: 5, subject: 1, detail: 1 }, lines: ["x"] }],
    ["RFC 2034 §4: enhanced code on a 3xx", { code: 354, enhanced: { cls: 2, subject: 0, detail: 0 }, lines: ["x"] }],
    ["RFC 3463 §2: subject out of range", { code: 550, enhanced: { cls: 5, subject: 1000, detail: 1 }, lines: ["x"] }],
  ])("%s throws bad-reply", (_name, reply) => {
    const error = badReply(() => formatReply(reply));
    expect(error.reply.code).toBe(451);
    expect(error.reply.enhanced).toEqual({ cls: 4, subject: 3, detail: 0 });
  });

  test("RFC 2034 §4: without `enhanced`, a first line that starts with a matching code reads back as one", () => {
    const wire = formatReply({ code: 250, lines: ["2.0.0 Ok"] });
    expect(wire).toBe("250 2.0.0 Ok\r\n");
    expect(parseReply(wire)).toEqual({ code: 250, enhanced: { cls: 2, subject: 0, detail: 0 }, lines: ["Ok"] });
  });
});

describe("properties", () => {
  test.prop([replyArb], { numRuns: 300 })("RFC 5321 §4.2: parseReply(formatReply(r)) equals r", (r) => {
    expect(parseReply(formatReply(r))).toEqual(r);
  });

  test.prop([replyArb])("RFC 5321 §4.2: bare LF line endings parse the same as CRLF", (r) => {
    expect(parseReply(formatReply(r).replaceAll("\r\n", "\n"))).toEqual(r);
  });

  test.prop([replyArb])("RFC 5321 §4.2: formatted replies are Reply-lines", (r) => {
    const lines = formatReply(r).split("\r\n");
    expect(lines.pop()).toBe("");
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      expect(line).toMatch(last ? /^[2-5][0-5][0-9] [\t\x20-\x7e]*$/ : /^[2-5][0-5][0-9]-[\t\x20-\x7e]*$/);
      expect(line.slice(0, 3)).toBe(String(r.code));
    });
  });

  /** Strings made mostly of reply-ish pieces, so the parser gets past the code now and then. */
  const replyishArb = fc
    .array(
      fc.oneof(
        fc.constantFrom("250", "550", "-", " ", "\r\n", "\n", "\r", "5.1.1", "2.0.0", "x", "\t", "\0"),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join(""));

  test.prop([fc.oneof(fc.string(), replyishArb)], { numRuns: 500 })(
    "RFC 5321 §4.2: any string either parses or throws bad-reply, nothing else",
    (text) => {
      try {
        const reply = parseReply(text);
        expect(reply.lines.length).toBeGreaterThan(0);
      } catch (e) {
        expect(SmtpSyntaxError.isInstance(e) && e.code === "bad-reply").toBe(true);
      }
    },
  );

  test.prop([
    fc.record({
      code: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.double()),
      lines: fc.array(fc.string({ unit: "binary", maxLength: 10 }), { maxLength: 3 }),
    }),
    fc.option(fc.record({ cls: fc.integer({ min: 0, max: 6 }), subject: fc.integer({ min: -1, max: 1000 }), detail: fc.nat(1000) }), { nil: undefined }),
  ])("RFC 5321 §4.2: formatReply either formats or throws bad-reply", (base, enhanced) => {
    const reply = (enhanced === undefined ? base : { ...base, enhanced }) as Reply;
    try {
      expect(parseReply(formatReply(reply)).code).toBe(reply.code);
    } catch (e) {
      expect(SmtpSyntaxError.isInstance(e) && e.code === "bad-reply").toBe(true);
    }
  });
});
