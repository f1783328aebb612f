import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { SmtpSyntaxError } from "./errors.js";
import { type EnhancedCode, formatReply, type Reply } from "./reply.js";
import { ReplyReader } from "./reply-reader.js";
import { expectBadReply } from "./test-support/errors.js";
import { replyArbOf, textCharArb } from "./test-support/replies.js";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Push `input` in the given chunks, calling next() after each push as a client does. */
function readAll(input: Uint8Array, cuts: readonly number[] = [], options = {}): Reply[] {
  const reader = new ReplyReader(options);
  const replies: Reply[] = [];
  for (const chunk of split(input, cuts)) {
    reader.push(chunk);
    for (let r = reader.next(); r !== undefined; r = reader.next()) replies.push(r);
  }
  return replies;
}

/** `input` cut at the given offsets (any order, clamped, duplicates give empty chunks). */
function split(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...cuts.map((c) => Math.min(c, input.length)).sort((a, b) => a - b), input.length];
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of points) {
    chunks.push(input.slice(from, to));
    from = to;
  }
  return chunks;
}

/** Everything a reader does with `input` in these chunks: the replies, then the error code or the rest. */
function outcome(input: Uint8Array, cuts: readonly number[], options = {}) {
  const reader = new ReplyReader(options);
  const replies: Reply[] = [];
  try {
    for (const chunk of split(input, cuts)) {
      reader.push(chunk);
      for (let r = reader.next(); r !== undefined; r = reader.next()) replies.push(r);
    }
  } catch (e) {
    if (!SmtpSyntaxError.isInstance(e)) throw e;
    return { replies, error: e.code };
  }
  return { replies, rest: [...reader.takeRest()] };
}

describe("ReplyReader: known answers", () => {
  test("RFC 5321 §D.1: the server side of the typical transaction, one chunk", () => {
    const server =
      "220 foo.com Simple Mail Transfer Service Ready\r\n" +
      "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n" +
      "250 OK\r\n250 OK\r\n550 No such user here\r\n250 OK\r\n" +
      "354 Start mail input; end with <CRLF>.<CRLF>\r\n250 OK\r\n" +
      "221 foo.com Service closing transmission channel\r\n";
    expect(readAll(bytes(server))).toEqual([
      { code: 220, lines: ["foo.com Simple Mail Transfer Service Ready"] },
      { code: 250, lines: ["foo.com greets bar.com", "8BITMIME", "SIZE", "DSN", "HELP"] },
      { code: 250, lines: ["OK"] },
      { code: 250, lines: ["OK"] },
      { code: 550, lines: ["No such user here"] },
      { code: 250, lines: ["OK"] },
      { code: 354, lines: ["Start mail input; end with <CRLF>.<CRLF>"] },
      { code: 250, lines: ["OK"] },
      { code: 221, lines: ["foo.com Service closing transmission channel"] },
    ]);
  });

  test("RFC 2920 §4: pipelined replies arriving together are returned one by one", () => {
    const reader = new ReplyReader();
    reader.push(
      bytes(
        "250 sender <mrose@dbc.mtview.ca.us> OK\r\n250 recipient <ned@innosoft.com> OK\r\n" +
          "250 recipient <dan@innosoft.com> OK\r\n250 recipient <kvc@innosoft.com> OK\r\n" +
          '354 enter mail, end with line containing only "."\r\n',
      ),
    );
    expect(reader.next()).toEqual({ code: 250, lines: ["sender <mrose@dbc.mtview.ca.us> OK"] });
    expect(reader.next()).toEqual({ code: 250, lines: ["recipient <ned@innosoft.com> OK"] });
    expect(reader.next()).toEqual({ code: 250, lines: ["recipient <dan@innosoft.com> OK"] });
    expect(reader.next()).toEqual({ code: 250, lines: ["recipient <kvc@innosoft.com> OK"] });
    expect(reader.next()).toEqual({ code: 354, lines: ['enter mail, end with line containing only "."'] });
    expect(reader.next()).toBeUndefined();
  });

  test("RFC 2034 §6: enhanced codes are split off, a multiline reply arriving byte by byte", () => {
    const wire = bytes("551-5.7.1 Forwarding to remote hosts disabled\r\n551 5.7.1 Select another host to act as your forwarder\r\n");
    const reader = new ReplyReader();
    const seen: (Reply | undefined)[] = [];
    for (const b of wire) {
      reader.push(Uint8Array.of(b));
      seen.push(reader.next());
    }
    expect(seen.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(seen.at(-1)).toEqual({
      code: 551,
      enhanced: { cls: 5, subject: 7, detail: 1 },
      lines: ["Forwarding to remote hosts disabled", "Select another host to act as your forwarder"],
    });
  });

  test("partial input is not an error: need more, and the place is kept", () => {
    const reader = new ReplyReader();
    reader.push(bytes("250-mx.example.com\r\n250-PIPE"));
    expect(reader.next()).toBeUndefined();
    expect(reader.next()).toBeUndefined();
    reader.push(bytes("LINING\r\n250 8BITMIME"));
    expect(reader.next()).toBeUndefined();
    reader.push(bytes("\r\n"));
    expect(reader.next()).toEqual({ code: 250, lines: ["mx.example.com", "PIPELINING", "8BITMIME"] });
    expect(reader.next()).toBeUndefined();
  });

  test("RFC 5321 §4.2: bare LF endings from a broken server are accepted; other CRs stay in the text", () => {
    expect(readAll(bytes("250-a\n250-b\r\r\n250 c\r\n"))).toEqual([{ code: 250, lines: ["a", "b\r", "c"] }]);
  });

  test("UTF-8 text is decoded; invalid UTF-8 becomes U+FFFD", () => {
    expect(readAll(Uint8Array.of(...bytes("550 caf"), 0xc3, 0xa9, 0x20, 0xff, 0x0d, 0x0a))).toEqual([
      { code: 550, lines: ["café \uFFFD"] },
    ]);
  });

  test("RFC 3207 §5: takeRest after the STARTTLS 220 is empty for an honest server", () => {
    const reader = new ReplyReader();
    reader.push(bytes("250-mail.imc.org offers a warm hug of welcome\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 DSN\r\n"));
    expect(reader.next()?.lines).toEqual(["mail.imc.org offers a warm hug of welcome", "8BITMIME", "STARTTLS", "DSN"]);
    reader.push(bytes("220 Go ahead\r\n"));
    expect(reader.next()).toEqual({ code: 220, lines: ["Go ahead"] });
    expect(reader.takeRest()).toEqual(new Uint8Array(0));
  });

  test("RFC 3207 §5: takeRest returns bytes injected after the 220, a partly read reply included", () => {
    const reader = new ReplyReader();
    reader.push(bytes("220 Go ahead\r\n250-injected\r\n250-more"));
    expect(reader.next()).toEqual({ code: 220, lines: ["Go ahead"] });
    expect(reader.next()).toBeUndefined();
    expect(text(reader.takeRest())).toBe("250-injected\r\n250-more");
    // The reader is empty afterwards and can be used again.
    expect(reader.next()).toBeUndefined();
    reader.push(bytes("250 fresh\r\n"));
    expect(reader.next()).toEqual({ code: 250, lines: ["fresh"] });
    expect(reader.takeRest()).toEqual(new Uint8Array(0));
  });

  test("a long pipelined stream in small and large chunks (storage growth and compaction)", () => {
    const replies: Reply[] = Array.from({ length: 3000 }, (_, i) =>
      i % 3 === 0
        ? { code: 250, enhanced: { cls: 2, subject: 1, detail: 5 }, lines: [`recipient ${i} ok`] }
        : { code: 250, lines: [`line ${i}`, "x".repeat(i % 200), "end"] },
    );
    const wire = bytes(replies.map(formatReply).join(""));
    const small = Array.from({ length: Math.ceil(wire.length / 7) }, (_, i) => i * 7);
    const large = Array.from({ length: 5 }, (_, i) => Math.floor((wire.length * (i + 1)) / 6) + 3);
    expect(readAll(wire, small)).toEqual(replies);
    expect(readAll(wire, large)).toEqual(replies);
  });

  test("takeRest before any next() returns everything pushed", () => {
    const reader = new ReplyReader();
    reader.push(bytes("250 a\r\n"));
    reader.push(bytes("250 b\r\n"));
    expect(text(reader.takeRest())).toBe("250 a\r\n250 b\r\n");
  });
});

describe("ReplyReader: malformed replies throw bad-reply", () => {
  test.each([
    ["RFC 5321 §4.2: non-digit code", "2x0 OK\r\n"],
    ["RFC 5321 §4.2.1: code out of range", "600 OK\r\n"],
    ["RFC 5321 §4.2: wrong separator", "250_OK\r\n"],
    ["RFC 5321 §4.2: short line", "25\r\n"],
    ["RFC 5321 §4.2: empty line", "\r\n"],
    ["RFC 5321 §4.2.1: code changes within a reply", "250-a\r\n550 b\r\n"],
    ["RFC 5321 §4.2: HTTP server on the SMTP port", "HTTP/1.1 400 Bad Request\r\n"],
  ])("%s", (_name, input) => {
    expectBadReply(() => readAll(bytes(input)));
  });

  test("RFC 5321 §4.5.3.1.5: a 512-octet line is read, a 513-octet line is refused", () => {
    const ok = `250 ${"x".repeat(512 - 6)}\r\n`;
    expect(bytes(ok).length).toBe(512);
    expect(readAll(bytes(ok))).toEqual([{ code: 250, lines: ["x".repeat(506)] }]);
    expectBadReply(() => readAll(bytes(`250 ${"x".repeat(507)}\r\n`)));
    const bareLf = `250 ${"x".repeat(507)}\n`;
    expect(bytes(bareLf).length).toBe(512);
    expect(readAll(bytes(bareLf))).toHaveLength(1);
  });

  test("RFC 5321 §4.5.3.1.5: a line without end is refused once 512 octets are buffered, not later", () => {
    const reader = new ReplyReader();
    reader.push(bytes(`250 ${"x".repeat(507)}`));
    expect(reader.next()).toBeUndefined();
    reader.push(bytes("x"));
    expectBadReply(() => reader.next());
  });

  test("maxLineLength and maxLines are configurable", () => {
    const long = `250 ${"x".repeat(2000)}\r\n`;
    expect(readAll(bytes(long), [], { maxLineLength: 4096 })).toHaveLength(1);
    const lines = `${"250-x\r\n".repeat(9)}250 x\r\n`;
    expect(readAll(bytes(lines), [], { maxLines: 10 })[0]?.lines).toHaveLength(10);
    expectBadReply(() => readAll(bytes(`250-x\r\n${lines}`), [], { maxLines: 10 }));
  });

  test("the default bound on lines is 1000", () => {
    const lines = `${"250-x\r\n".repeat(999)}250 x\r\n`;
    expect(readAll(bytes(lines))[0]?.lines).toHaveLength(1000);
    expectBadReply(() => readAll(bytes(`250-x\r\n${lines}`)));
  });

  test.each([[0], [-1], [1.5], [Number.NaN]])("a limit of %s is a RangeError", (n) => {
    expect(() => new ReplyReader({ maxLineLength: n })).toThrow(RangeError);
    expect(() => new ReplyReader({ maxLines: n })).toThrow(RangeError);
  });
});

// ---- arbitraries (a copy of reply.test.ts's: a test file must not import another) ----

const enhancedArb: fc.Arbitrary<Omit<EnhancedCode, "cls">> = fc.record({
  subject: fc.oneof(fc.nat(9), fc.nat(999)),
  detail: fc.oneof(fc.nat(9), fc.nat(999)),
});
const replyArb: fc.Arbitrary<Reply> = replyArbOf({
  enhanced: enhancedArb,
  line: fc.string({ unit: textCharArb, maxLength: 60 }),
  maxLines: 6,
});

const cutsArb = fc.array(fc.nat(2000), { maxLength: 12 });

describe("ReplyReader: properties", () => {
  test.prop([fc.array(replyArb, { minLength: 1, maxLength: 8 }), cutsArb], { numRuns: 300 })(
    "RFC 2920: concatenated replies come back equal, however the bytes are chunked",
    (replies, cuts) => {
      const wire = bytes(replies.map(formatReply).join(""));
      expect(readAll(wire, cuts)).toEqual(replies);
    },
  );

  test.prop([fc.array(replyArb, { maxLength: 4 }), fc.string({ unit: textCharArb, maxLength: 30 }), cutsArb])(
    "the bytes after the last complete reply are the rest, however chunked",
    (replies, tail, cuts) => {
      const head = replies.map(formatReply).join("");
      // An unfinished reply: continuation lines and a line without its CRLF.
      const partial = `250-${tail}\r\n250 ${tail}`;
      const result = outcome(bytes(head + partial), cuts);
      expect(result).toEqual({ replies, rest: [...bytes(partial)] });
    },
  );

  /** Bytes made mostly of reply pieces, so that the reader gets past the code now and then. */
  const replyishBytesArb = fc
    .array(
      fc.oneof(
        fc.constantFrom("250", "550", "-", " ", "\r\n", "\n", "\r", "5.1.1", "x".repeat(300)).map(bytes),
        fc.uint8Array({ maxLength: 6 }),
      ),
      { maxLength: 40 },
    )
    .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 600 }), replyishBytesArb), cutsArb], { numRuns: 500 })(
    "arbitrary bytes give replies or bad-reply, nothing else, and the same outcome however chunked",
    (input, cuts) => {
      const whole = outcome(input, []);
      if ("error" in whole) expect(whole.error).toBe("bad-reply");
      expect(outcome(input, cuts)).toEqual(whole);
    },
  );

  test.prop([fc.array(replyArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 80 }), cutsArb])(
    "a lowered maxLineLength refuses exactly the replies with a longer line, however chunked",
    (replies, max, cuts) => {
      const wire = replies.map(formatReply).join("");
      const longest = Math.max(...wire.split(/(?<=\n)/).map((line) => line.length));
      const result = outcome(bytes(wire), cuts, { maxLineLength: max });
      if (longest > max) expect(result).toMatchObject({ error: "bad-reply" });
      else expect(result).toEqual({ replies, rest: [] });
    },
  );
});
