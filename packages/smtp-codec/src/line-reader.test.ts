import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { LineReader, type LineResult, MAX_COMMAND_LINE_LENGTH } from "./line-reader.js";
import { bytes, concatBytes, cutsArb, splitAt, str } from "./test-support/chunks.js";

interface Read {
  lines: { line: string; ending: LineResult["ending"]; bareCr: boolean; tooLong: boolean }[];
  rest: string;
  maxBuffered: number;
}

/** Push the chunks one by one, draining `next()` after each, then take the rest. */
function readAll(chunks: readonly Uint8Array[], maxLineLength?: number): Read {
  const reader = new LineReader(maxLineLength === undefined ? {} : { maxLineLength });
  const lines: Read["lines"] = [];
  let maxBuffered = 0;
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let r = reader.next(); r !== undefined; r = reader.next()) {
      lines.push({ line: str(r.line), ending: r.ending, bareCr: r.bareCr, tooLong: r.tooLong });
    }
    maxBuffered = Math.max(maxBuffered, reader.buffered);
  }
  return { lines, rest: str(reader.takeRest()), maxBuffered };
}

/** The rules of the reader restated over a whole string, line by line, as a reference. */
function model(input: string, max: number): Omit<Read, "maxBuffered"> {
  const lines: Read["lines"] = [];
  let start = 0;
  for (let lf = input.indexOf("\n"); lf !== -1; lf = input.indexOf("\n", start)) {
    const raw = input.slice(start, lf);
    const crlf = raw.endsWith("\r");
    const content = crlf ? raw.slice(0, -1) : raw;
    const tooLong = raw.length + 1 > max;
    lines.push({
      line: tooLong ? content.slice(0, max) : content,
      ending: crlf ? "CRLF" : "LF",
      bareCr: content.includes("\r"),
      tooLong,
    });
    start = lf + 1;
  }
  return { lines, rest: input.slice(start) };
}

/** Byte strings rich in CR, LF and line-ish text, plus arbitrary octets. */
const wire = fc
  .array(
    fc.oneof(
      fc.constantFrom("\r\n", "\r", "\n", "\r\r\n", "EHLO example.org", "QUIT", " ").map(bytes),
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ unit: fc.constantFrom("a", "b", "c", " ", ":"), maxLength: 60 }).map(bytes),
    ),
    { maxLength: 30 },
  )
  .map(concatBytes);

describe("LineReader known answers", () => {
  test("RFC 5321 §2.3.8: a line ends with CRLF, returned without its terminator", () => {
    expect(readAll([bytes("EHLO client.example.org\r\n")]).lines).toEqual([
      { line: "EHLO client.example.org", ending: "CRLF", bareCr: false, tooLong: false },
    ]);
  });

  test("RFC 5321 §2.3.8: a bare LF ending is reported, not silently accepted", () => {
    expect(readAll([bytes("NOOP\nQUIT\r\n")]).lines).toEqual([
      { line: "NOOP", ending: "LF", bareCr: false, tooLong: false },
      { line: "QUIT", ending: "CRLF", bareCr: false, tooLong: false },
    ]);
  });

  test("RFC 5321 §2.3.8: a CR not followed by LF inside a line is a bare CR", () => {
    expect(readAll([bytes("NO\rOP\r\nRSET\r\r\n\r\n")]).lines).toEqual([
      { line: "NO\rOP", ending: "CRLF", bareCr: true, tooLong: false },
      { line: "RSET\r", ending: "CRLF", bareCr: true, tooLong: false },
      { line: "", ending: "CRLF", bareCr: false, tooLong: false },
    ]);
  });

  test("RFC 5321 §2.3.8: a lone CR never ends a line", () => {
    const read = readAll([bytes("MAIL FROM:<a@b>\rRCPT TO:<c@d>\r")]);
    expect(read.lines).toEqual([]);
    expect(read.rest).toBe("MAIL FROM:<a@b>\rRCPT TO:<c@d>\r");
  });

  test("RFC 5321 §4.5.3.1.4: a command line of exactly 512 octets including CRLF is accepted", () => {
    const line = "A".repeat(510);
    expect(readAll([bytes(`${line}\r\n`)]).lines).toEqual([{ line, ending: "CRLF", bareCr: false, tooLong: false }]);
    // With a bare LF the same 512 octets hold one more octet of text.
    const longer = "A".repeat(511);
    expect(readAll([bytes(`${longer}\n`)]).lines[0]?.tooLong).toBe(false);
  });

  test("RFC 5321 §4.5.3.1.4: 513 octets is too long; the reader reports it once and resyncs", () => {
    const line = "A".repeat(511);
    expect(readAll([bytes(`${line}\r\nQUIT\r\n`)]).lines).toEqual([
      { line, ending: "CRLF", bareCr: false, tooLong: true },
      { line: "QUIT", ending: "CRLF", bareCr: false, tooLong: false },
    ]);
  });

  test("RFC 5321 §4.5.3.1.4: a 100 000-octet line streamed in small chunks gives one tooLong result", () => {
    const input = bytes(`${"x".repeat(100_000)}\r\nNOOP\r\n`);
    const chunks = splitAt(
      input,
      Array.from({ length: 1000 }, (_, i) => i * 101),
    );
    const read = readAll(chunks);
    expect(read.lines).toEqual([
      { line: "x".repeat(MAX_COMMAND_LINE_LENGTH), ending: "CRLF", bareCr: false, tooLong: true },
      { line: "NOOP", ending: "CRLF", bareCr: false, tooLong: false },
    ]);
    expect(read.maxBuffered).toBeLessThanOrEqual(MAX_COMMAND_LINE_LENGTH);
  });

  test("RFC 5321 §4.5.3.1.6: text lines may be read with the 1000-octet limit", () => {
    const ok = "t".repeat(998);
    const long = "t".repeat(999);
    expect(readAll([bytes(`${ok}\r\n${long}\r\n`)], 1000).lines.map((l) => l.tooLong)).toEqual([false, true]);
  });

  test("RFC 5321 §4.5.3.1.4: a bare CR in the discarded part of a too-long line is still reported", () => {
    const input = `${"a".repeat(600)}\rb\r\n`;
    const whole = readAll([bytes(input)]);
    expect(whole.lines).toEqual([{ line: "a".repeat(512), ending: "CRLF", bareCr: true, tooLong: true }]);
    expect(readAll(splitAt(bytes(input), [100, 300, 601, 602])).lines).toEqual(whole.lines);
  });

  test("RFC 2920 §3.1 pipelining: takeRest hands the bytes after DATA to the data reader", () => {
    const reader = new LineReader();
    reader.push(bytes("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDA"));
    reader.push(bytes("TA\r\nSubject: hi\r\n\r\nbody"));
    expect(str(reader.next()?.line ?? new Uint8Array())).toBe("MAIL FROM:<a@example.org>");
    expect(str(reader.next()?.line ?? new Uint8Array())).toBe("RCPT TO:<b@example.org>");
    expect(str(reader.next()?.line ?? new Uint8Array())).toBe("DATA");
    expect(reader.buffered).toBe("Subject: hi\r\n\r\nbody".length);
    expect(str(reader.takeRest())).toBe("Subject: hi\r\n\r\nbody");
    expect(reader.buffered).toBe(0);
    expect(reader.next()).toBeUndefined();
  });

  test("takeRest includes the start of an incomplete line and leaves the reader at a line start", () => {
    const reader = new LineReader();
    reader.push(bytes("STARTTLS\r\n\x16\x03\x01"));
    expect(reader.next()?.ending).toBe("CRLF");
    expect(reader.next()).toBeUndefined();
    expect(reader.buffered).toBe(3);
    expect([...reader.takeRest()]).toEqual([0x16, 0x03, 0x01]);
    reader.push(bytes("QUIT\r\n"));
    expect(str(reader.next()?.line ?? new Uint8Array())).toBe("QUIT");
  });

  test("a line within one chunk is a view of that chunk, not a copy", () => {
    const chunk = bytes("HELO a\r\nHELO b\r\n");
    const reader = new LineReader();
    reader.push(chunk);
    const first = reader.next();
    const second = reader.next();
    expect(first?.line.buffer).toBe(chunk.buffer);
    expect(second?.line.buffer).toBe(chunk.buffer);
    expect(second?.line.byteOffset).toBe(chunk.byteOffset + 8);
  });

  test("an empty chunk changes nothing", () => {
    const reader = new LineReader();
    reader.push(new Uint8Array(0));
    expect(reader.next()).toBeUndefined();
    expect(reader.buffered).toBe(0);
    expect(reader.takeRest().length).toBe(0);
  });

  test("maxLineLength below 2 or not an integer is refused", () => {
    expect(() => new LineReader({ maxLineLength: 1 })).toThrow(RangeError);
    expect(() => new LineReader({ maxLineLength: 1.5 })).toThrow(RangeError);
    expect(() => new LineReader({ maxLineLength: Number.NaN })).toThrow(RangeError);
  });
});

describe("LineReader properties", () => {
  test.prop([wire, cutsArb], { numRuns: 300 })(
    "RFC 5321 §2.3.8: lines plus their terminators reassemble the input",
    (input, cut) => {
      // A limit no line reaches, so every line is returned whole.
      const read = readAll(splitAt(input, cut), input.length + 2);
      const again = read.lines.map((l) => l.line + (l.ending === "CRLF" ? "\r\n" : "\n")).join("") + read.rest;
      expect(again).toBe(str(input));
    },
  );

  test.prop([wire, cutsArb, fc.integer({ min: 2, max: 40 })], { numRuns: 400 })(
    "RFC 5321 §2.3.8, §4.5.3.1.4: every chunking gives the lines of the line-by-line model",
    (input, cut, max) => {
      const read = readAll(splitAt(input, cut), max);
      const expected = model(str(input), max);
      expect(read.lines).toEqual(expected.lines);
      // A too-long incomplete line is dropped from the rest (its excess was never kept).
      const lastTooLong = expected.rest.length >= max;
      expect(read.rest).toBe(lastTooLong ? "" : expected.rest);
    },
  );

  test.prop([wire, cutsArb, fc.integer({ min: 2, max: 40 })], { numRuns: 300 })(
    "any chunking gives the lines and rest of one chunk",
    (input, cut, max) => {
      const split = readAll(splitAt(input, cut), max);
      const whole = readAll([input], max);
      expect(split.lines).toEqual(whole.lines);
      expect(split.rest).toBe(whole.rest);
    },
  );

  test.prop([wire, cutsArb, fc.integer({ min: 2, max: 40 })], { numRuns: 300 })(
    "memory stays bounded: after draining, at most maxLineLength octets are held",
    (input, cut, max) => {
      expect(readAll(splitAt(input, cut), max).maxBuffered).toBeLessThanOrEqual(max);
    },
  );

  test.prop(
    [
      fc.integer({ min: 6, max: 64 }), // "NOOP\r\n" must fit
      fc.nat({ max: 200 }),
      fc.constantFrom("\r\n", "\n"),
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      cutsArb,
    ],
    { numRuns: 300 },
  )(
    "RFC 5321 §4.5.3.1.4: a too-long line yields exactly one tooLong result, then the next line",
    (max, extra, ending, noise, cut) => {
      // Any octets except LF, at least `max` of them before the terminator.
      const filler = noise.map((o) => (o === 0x0a ? 0x20 : o));
      let body = "";
      while (body.length < max + extra) body += str(filler);
      body = body.replaceAll("\r", "R");
      const input = bytes(`${body}${ending}NOOP\r\n`);
      const read = readAll(splitAt(input, cut), max);
      expect(read.lines).toHaveLength(2);
      expect(read.lines[0]).toEqual({
        line: body.slice(0, max),
        ending: ending === "\r\n" ? "CRLF" : "LF",
        bareCr: false,
        tooLong: true,
      });
      expect(read.lines[1]).toEqual({ line: "NOOP", ending: "CRLF", bareCr: false, tooLong: false });
    },
  );

  test.prop([fc.uint8Array({ maxLength: 2000 }), cutsArb, fc.integer({ min: 2, max: 1000 })], { numRuns: 200 })(
    "arbitrary octets never throw",
    (input, cut, max) => {
      expect(() => readAll(splitAt(input, cut), max)).not.toThrow();
    },
  );
});
