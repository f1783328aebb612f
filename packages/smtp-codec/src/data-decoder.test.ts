import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { DataDecoder } from "./data-decoder.js";
import { DataEncoder, normalizeLineEndings } from "./data-encoder.js";
import { bytes, concatBytes, cutsArb, splitAt, str } from "./test-support/chunks.js";
import { type BodyReader, serveSession } from "./test-support/session.js";

interface Decoded {
  body: string;
  done: boolean;
  /** `rest` of the push that ended the data, plus every chunk after it. */
  rest: string;
  size: number;
  bareCr: boolean;
  bareLf: boolean;
  sizeExceeded: boolean;
}

function decodeAll(chunks: readonly Uint8Array[], maxSize?: number): Decoded {
  const decoder = new DataDecoder(maxSize === undefined ? {} : { maxSize });
  const body: Uint8Array[] = [];
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (decoder.done) {
      rest.push(chunk);
      continue;
    }
    const r = decoder.push(chunk);
    body.push(...r.body);
    expect(r.done).toBe(decoder.done);
    if (r.done) rest.push(r.rest);
  }
  return {
    body: str(concatBytes(body)),
    done: decoder.done,
    rest: str(concatBytes(rest)),
    size: decoder.size,
    bareCr: decoder.bareCr,
    bareLf: decoder.bareLf,
    sizeExceeded: decoder.sizeExceeded,
  };
}

/**
 * RFC 5321 §4.1.1.4 and §4.5.2 restated line by line over a whole string: a line starts at the
 * beginning or after CRLF; a line that is "." alone ends the data; otherwise a leading "." is deleted.
 */
function model(wire: string): { done: boolean; body: string; rest: string } {
  let body = "";
  let pos = 0;
  for (;;) {
    if (wire.startsWith(".\r\n", pos)) return { done: true, body, rest: wire.slice(pos + 3) };
    if (wire[pos] === ".") pos++;
    const eol = wire.indexOf("\r\n", pos);
    if (eol === -1) return { done: false, body: body + wire.slice(pos), rest: "" };
    body += wire.slice(pos, eol + 2);
    pos = eol + 2;
  }
}
const hasBareCr = (s: string): boolean => /\r(?!\n)/.test(s);
const hasBareLf = (s: string): boolean => /(?<!\r)\n/.test(s);

/** Byte strings rich in CR, LF and dots, plus arbitrary octets. */
const wire = fc
  .array(
    fc.oneof(
      fc.constantFrom("\r\n", "\r", "\n", ".", "..", "\r\n.", ".\r\n", "\r\n.\r\n", "\n.\n", "Subject: x").map(bytes),
      fc.uint8Array({ maxLength: 16 }),
      fc.string({ unit: fc.constantFrom("a", "b", " ", "."), maxLength: 40 }).map(bytes),
    ),
    { maxLength: 30 },
  )
  .map(concatBytes);

/** The smuggling sequences of CVE-2023-51764/51765/51766 and relatives; none ends DATA. */
const SMUGGLING: readonly (readonly [name: string, seq: string])[] = [
  ["<LF>.<LF>", "\n.\n"],
  ["<CR>.<CR>", "\r.\r"],
  ["<LF>.<CR><LF>", "\n.\r\n"],
  ["<CR><LF>.<CR>", "\r\n.\r"],
  ["<CR>.<CR><LF>", "\r.\r\n"],
  ["<CR><LF>.<LF>", "\r\n.\n"],
  ["<CR><LF>.<CR><CR><LF>", "\r\n.\r\r\n"],
  ["<LF>.<CR>", "\n.\r"],
  ["<CR><LF>.<NUL><CR><LF>", "\r\n.\0\r\n"],
  ["<CR><LF><SP>.<CR><LF>", "\r\n .\r\n"],
];

describe("DataDecoder known answers", () => {
  test("RFC 5321 §4.1.1.4: CRLF . CRLF ends the data; the CRLF before the dot belongs to the message", () => {
    expect(decodeAll([bytes("Subject: hi\r\n\r\nHello\r\n.\r\n")])).toEqual({
      body: "Subject: hi\r\n\r\nHello\r\n",
      done: true,
      rest: "",
      size: 22,
      bareCr: false,
      bareLf: false,
      sizeExceeded: false,
    });
  });

  test("RFC 5321 §4.1.1.4: the data start just after the DATA command's CRLF, so '.' CRLF first is an empty message", () => {
    const d = decodeAll([bytes(".\r\nQUIT\r\n")]);
    expect(d).toMatchObject({ body: "", done: true, rest: "QUIT\r\n", size: 0 });
  });

  test("RFC 5321 §4.1.1.4: bytes after the terminator are the next (pipelined) command", () => {
    expect(decodeAll([bytes("a\r\n.\r\nMAIL FROM:<x@y>\r\nRCPT")])).toMatchObject({
      body: "a\r\n",
      rest: "MAIL FROM:<x@y>\r\nRCPT",
    });
  });

  test.each([
    ["..\r\n", ".\r\n"],
    ["..x\r\n", ".x\r\n"],
    [".x\r\n", "x\r\n"],
    ["a\r\n...\r\n", "a\r\n..\r\n"],
    ["a\r\n. \r\n", "a\r\n \r\n"],
    ["a.\r\nb\r\n", "a.\r\nb\r\n"],
    [".\r\r\n", "\r\r\n"],
    [".\n\r\n", "\n\r\n"],
  ])("RFC 5321 §4.5.2: a leading period of a line is deleted: %j", (wire, body) => {
    expect(decodeAll([bytes(`${wire}.\r\n`)])).toMatchObject({ body, done: true, rest: "" });
  });

  test.each([
    ["a\nb\r\n", false, true],
    ["a\rb\r\n", true, false],
    ["\nb\r\n", false, true],
    ["a\r\r\n", true, false],
    ["a\r\nb\r\n", false, false],
  ])("RFC 5321 §2.3.8: bare CR / bare LF in %j are reported", (wire, bareCr, bareLf) => {
    expect(decodeAll([bytes(`${wire}.\r\n`)])).toMatchObject({ bareCr, bareLf, done: true });
  });

  test.each(SMUGGLING)(
    "RFC 5321 §4.1.1.4 smuggling: %s does not end the data (CVE-2023-51764/51765/51766)",
    (_name, seq) => {
      const raw = `Subject: a${seq}MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n`;
      const expected = `\r\n${raw}`.replaceAll("\r\n.", "\r\n").slice(2);
      const input = bytes(`${raw}.\r\nQUIT\r\n`);
      const whole = decodeAll([input]);
      expect(whole).toMatchObject({ done: true, body: expected, rest: "QUIT\r\n" });
      expect(whole.bareCr).toBe(hasBareCr(expected));
      expect(whole.bareLf).toBe(hasBareLf(expected));
      // Split at every point inside the sequence and around it.
      for (let i = 9; i <= 12 + seq.length; i++) {
        expect(decodeAll(splitAt(input, [i]))).toEqual(whole);
        expect(decodeAll(splitAt(input, [i, i + 1]))).toEqual(whole);
      }
      // And on its own the sequence never ends the data.
      expect(decodeAll([bytes(`x${seq}`)]).done).toBe(false);
    },
  );

  test("RFC 5321 §4.5.2: a dot after a bare LF or bare CR is not at a line start and is kept", () => {
    expect(decodeAll([bytes("a\n..b\r.c\r\n.\r\n")])).toMatchObject({ body: "a\n..b\r.c\r\n", done: true });
  });

  test("RFC 5321 §4.5.2: every split of a mix of dot lines, bare CR/LF and the terminator gives one result", () => {
    const input = bytes("a\r\n.\rb\r\n.\n\r\n..\r\n.\r\r\n\r.\r\n\n.\r\n.\r\nX\r");
    const whole = decodeAll([input]);
    expect(whole).toEqual({
      body: "a\r\n\rb\r\n\n\r\n.\r\n\r\r\n\r.\r\n\n.\r\n",
      done: true,
      rest: "X\r",
      size: 24,
      bareCr: true,
      bareLf: true,
      sizeExceeded: false,
    });
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) expect(decodeAll(splitAt(input, [i, j]))).toEqual(whole);
    }
  });

  test("the terminator split at every point still ends the data at the same place", () => {
    const input = bytes("ab\r\n..c\r\n.\r\nNOOP\r\n");
    const whole = decodeAll([input]);
    expect(whole).toMatchObject({ body: "ab\r\n.c\r\n", rest: "NOOP\r\n" });
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) expect(decodeAll(splitAt(input, [i, j]))).toEqual(whole);
    }
  });

  test("body parts are views of the pushed chunk where the octets are unchanged", () => {
    const chunk = bytes("line one\r\n..line two\r\n.\r\n");
    const r = new DataDecoder().push(chunk);
    expect(r.body.map(str)).toEqual(["line one\r\n", ".line two\r\n"]);
    for (const part of r.body) expect(part.buffer).toBe(chunk.buffer);
  });

  test("RFC 5321 §4.5.3.1.9 (552 Too much mail data): past maxSize the body is cut but the end is still found", () => {
    const decoder = new DataDecoder({ maxSize: 3 });
    const r1 = decoder.push(bytes("abcdef\r\n"));
    expect(r1.body.map(str)).toEqual(["abc"]);
    expect(decoder.sizeExceeded).toBe(true);
    const r2 = decoder.push(bytes("more\r\n.\r\nQUIT\r\n"));
    expect(r2).toEqual({ body: [], done: true, rest: bytes("QUIT\r\n") });
    expect(decoder.size).toBe(14);
  });

  test("maxSize equal to the message size is not exceeded; maxSize 0 accepts only the empty message", () => {
    expect(decodeAll([bytes("abc\r\n.\r\n")], 5)).toMatchObject({ size: 5, sizeExceeded: false, body: "abc\r\n" });
    expect(decodeAll([bytes(".\r\n")], 0)).toMatchObject({ size: 0, sizeExceeded: false, done: true });
    expect(decodeAll([bytes("\r\n.\r\n")], 0)).toMatchObject({ size: 2, sizeExceeded: true, body: "", done: true });
  });

  test("after the end, a pushed chunk comes back whole as rest", () => {
    const decoder = new DataDecoder();
    decoder.push(bytes(".\r\n"));
    const next = bytes("RSET\r\n");
    expect(decoder.push(next)).toEqual({ body: [], done: true, rest: next });
  });

  test("a negative or NaN maxSize is refused", () => {
    expect(() => new DataDecoder({ maxSize: -1 })).toThrow(RangeError);
    expect(() => new DataDecoder({ maxSize: Number.NaN })).toThrow(RangeError);
  });
});

describe("DataDecoder properties", () => {
  test.prop([wire, cutsArb, cutsArb, fc.uint8Array({ maxLength: 40 })], { numRuns: 400 })(
    "RFC 5321 §4.5.2: decode(encode(B)) is B with CRLF line breaks, for any chunking; bytes after the end are rest",
    (message, encCuts, decCuts, after) => {
      const encoder = new DataEncoder();
      const encoded = concatBytes([...splitAt(message, encCuts).flatMap((c) => encoder.push(c)), ...encoder.end()]);
      const normal = str(normalizeLineEndings(message));
      const expected = normal === "" || normal.endsWith("\r\n") ? normal : `${normal}\r\n`;
      const d = decodeAll(splitAt(concatBytes([encoded, after]), decCuts));
      expect(d).toEqual({
        body: expected,
        done: true,
        rest: str(after),
        size: expected.length,
        bareCr: false,
        bareLf: false,
        sizeExceeded: false,
      });
    },
  );

  test.prop([wire, cutsArb], { numRuns: 400 })(
    "RFC 5321 §4.1.1.4, §4.5.2: any input decodes as the line-by-line model says",
    (input, cut) => {
      const d = decodeAll(splitAt(input, cut));
      const m = model(str(input));
      expect(d.done).toBe(m.done);
      if (m.done) {
        expect(d.body).toBe(m.body);
        expect(d.rest).toBe(m.rest);
        expect(d.bareCr).toBe(hasBareCr(m.body));
        expect(d.bareLf).toBe(hasBareLf(m.body));
      } else {
        // A "." or "." CR at a line start at the very end is held back until the next octet.
        expect(m.body.startsWith(d.body)).toBe(true);
        expect(m.body.length - d.body.length).toBeLessThanOrEqual(1);
      }
      expect(d.size).toBe(d.body.length);
    },
  );

  test.prop([wire, cutsArb, fc.option(fc.nat({ max: 80 }), { nil: undefined })], { numRuns: 400 })(
    "any chunking gives the result of one chunk (body, done, rest, size, bareCr, bareLf, sizeExceeded)",
    (input, cut, maxSize) => {
      expect(decodeAll(splitAt(input, cut), maxSize)).toEqual(decodeAll([input], maxSize));
    },
  );

  const smuggled = fc
    .array(
      fc.tuple(
        fc.constantFrom(...SMUGGLING.map(([, seq]) => seq), "."),
        fc.string({ unit: fc.constantFrom("a", "b", " ", ".", "\r", "\n"), maxLength: 6 }),
      ),
      { minLength: 1, maxLength: 12 },
    )
    .map((parts) => parts.map(([seq, text]) => seq + text).join(""))
    // Keep only bodies where the real terminator is the first CRLF "." CRLF (counting the
    // CRLF of the DATA command in front of the data).
    .filter((raw) => `\r\n${raw}\r\n.\r\n`.indexOf("\r\n.\r\n") === raw.length + 2);

  test.prop([smuggled, cutsArb, fc.uint8Array({ maxLength: 20 })], { numRuns: 400 })(
    "RFC 5321 §4.1.1.4 smuggling: no mix of bare CR/LF and dots ends the data before the real CRLF . CRLF",
    (raw, cut, after) => {
      const input = concatBytes([bytes(`${raw}\r\n.\r\n`), after]);
      const d = decodeAll(splitAt(input, cut));
      // Dot rules apply only after CRLF; every other octet comes through byte-exact.
      const expected = `\r\n${raw}\r\n`.replaceAll("\r\n.", "\r\n").slice(2);
      expect(d).toMatchObject({ done: true, body: expected, rest: str(after), size: expected.length });
    },
  );

  test.prop([wire, cutsArb, fc.nat({ max: 60 }), fc.uint8Array({ maxLength: 10 })], { numRuns: 300 })(
    "RFC 5321 §4.5.3.1.9: with maxSize M, sizeExceeded iff size > M, at most M octets emitted, the end still found",
    (message, cut, max, after) => {
      const input = concatBytes([message, bytes("\r\n.\r\n"), after]);
      const unlimited = decodeAll([input]);
      const limited = decodeAll(splitAt(input, cut), max);
      expect(limited.size).toBe(unlimited.size);
      expect(limited.sizeExceeded).toBe(unlimited.size > max);
      expect(limited.body).toBe(unlimited.body.slice(0, max));
      expect(limited.done).toBe(true);
      expect(limited.rest).toBe(unlimited.rest);
      expect(limited.bareCr).toBe(unlimited.bareCr);
      expect(limited.bareLf).toBe(unlimited.bareLf);
    },
  );

  test.prop([fc.uint8Array({ maxLength: 3000 }), cutsArb], { numRuns: 200 })("arbitrary octets never throw", (input, cut) => {
    expect(() => decodeAll(splitAt(input, cut), 100)).not.toThrow();
  });

  /** After DATA the octets go through a DataDecoder until the end of the data (RFC 5321 §4.1.1.4). */
  function dataBody(command: string): BodyReader | undefined {
    if (command !== "DATA") return undefined;
    const decoder = new DataDecoder();
    return (chunk) => {
      const r = decoder.push(chunk);
      return r.done ? { data: r.body, done: true, rest: r.rest } : { data: r.body, done: false };
    };
  }

  /** A server loop: LineReader for commands, DataDecoder after DATA, back to LineReader after the end. */
  const serve = (chunks: readonly Uint8Array[]) => serveSession(chunks, dataBody);

  test.prop([wire, wire, cutsArb], { numRuns: 200 })(
    "RFC 2920 pipelining: LineReader -> DataDecoder -> LineReader hand-off is independent of chunking",
    (first, second, cut) => {
      const stuff = (m: Uint8Array): Uint8Array => {
        const e = new DataEncoder();
        return concatBytes([...e.push(m), ...e.end()]);
      };
      const session = concatBytes([
        bytes("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"),
        stuff(first),
        bytes("MAIL FROM:<>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n"),
        stuff(second),
        bytes("QUIT\r\n"),
      ]);
      const expected = (m: Uint8Array): string => {
        const n = str(normalizeLineEndings(m));
        return n === "" || n.endsWith("\r\n") ? n : `${n}\r\n`;
      };
      expect(serve(splitAt(session, cut))).toEqual({
        commands: ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "DATA", "MAIL FROM:<>", "RCPT TO:<c@example.org>", "DATA", "QUIT"],
        bodies: [expected(first), expected(second)],
      });
    },
  );
});
