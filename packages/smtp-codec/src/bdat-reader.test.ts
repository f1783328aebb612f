import { Buffer } from "node:buffer";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { BdatReader } from "./bdat-reader.js";
import { bytes, concatBytes, cutsArb, splitAt, str } from "./test-support/chunks.js";
import { type BodyReader, serveSession } from "./test-support/session.js";

function readAll(size: number, chunks: readonly Uint8Array[]): { data: Uint8Array; done: boolean; rest: Uint8Array } {
  const reader = new BdatReader(size);
  const data: Uint8Array[] = [];
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (reader.done) {
      rest.push(chunk);
      continue;
    }
    const before = reader.remaining;
    const r = reader.push(chunk);
    data.push(...r.data);
    expect(before - reader.remaining).toBe(r.data.reduce((n, d) => n + d.length, 0));
    expect(r.done).toBe(reader.done);
    if (r.done) rest.push(r.rest);
  }
  return { data: concatBytes(data), done: reader.done, rest: concatBytes(rest) };
}

/** After "BDAT n" (RFC 3030 §2) the next n octets go through a BdatReader. */
function bdatBody(command: string): BodyReader | undefined {
  const m = /^BDAT (\d+)( LAST)?$/.exec(command);
  if (m?.[1] === undefined) return undefined;
  const reader = new BdatReader(Number(m[1]));
  return (chunk) => reader.push(chunk);
}

/** A whole session through LineReader and BdatReader: the commands and each BDAT chunk's data. */
const serve = (chunks: readonly Uint8Array[]) => serveSession(chunks, bdatBody);

describe("BdatReader known answers", () => {
  test("RFC 3030 §4.1 simple chunking: BDAT 86 LAST carries exactly the 86-octet message", () => {
    const message =
      "To: Susan@random.com\r\n" + "From: Sam@random.com\r\n" + "Subject: This is a bodyless test message\r\n";
    expect(message.length).toBe(86);
    const session = bytes(`BDAT 86 LAST\r\n${message}QUIT\r\n`);
    expect(serve([session])).toEqual({ commands: ["BDAT 86 LAST", "QUIT"], bodies: [message] });
    expect(serve(splitAt(session, [5, 14, 15, 50, 100, 101]))).toEqual(serve([session]));
  });

  test("RFC 3030 §4.2 pipelining BINARYMIME: BDAT 100000, BDAT 324, BDAT 0 LAST; octets are opaque", () => {
    // Binary data full of CRLF "." CRLF, bare CR/LF and NUL: none of it means anything in BDAT.
    const first = Buffer.alloc(100000);
    for (let i = 0; i < first.length; i++) first[i] = "\r\n.\r\n\0\n.\r"[i % 9]?.charCodeAt(0) ?? 0;
    const second = Buffer.alloc(324, "BDAT 0 LAST\r\n");
    const session = concatBytes([
      bytes("BDAT 100000\r\n"),
      first,
      bytes("BDAT 324\r\n"),
      second,
      bytes("BDAT 0 LAST\r\nQUIT\r\n"),
    ]);
    const expected = {
      commands: ["BDAT 100000", "BDAT 324", "BDAT 0 LAST", "QUIT"],
      bodies: [str(first), str(second), ""],
    };
    expect(serve([session])).toEqual(expected);
    expect(serve(splitAt(session, Array.from({ length: 30 }, (_, i) => i * 3389)))).toEqual(expected);
  });

  test("RFC 3030 §2: BDAT 0 is done at once and hands every pushed byte back as rest", () => {
    const reader = new BdatReader(0);
    expect(reader.done).toBe(true);
    expect(reader.remaining).toBe(0);
    const next = bytes("QUIT\r\n");
    expect(reader.push(next)).toEqual({ data: [], done: true, rest: next });
  });

  test("RFC 3030 §2: a chunk split over pushes counts down remaining", () => {
    const reader = new BdatReader(10);
    expect(reader.push(bytes("abcd"))).toEqual({ data: [bytes("abcd")], done: false });
    expect(reader.remaining).toBe(6);
    expect(reader.push(new Uint8Array(0))).toEqual({ data: [], done: false });
    const r = reader.push(bytes("efghijRSET\r\n"));
    expect(r.done).toBe(true);
    expect(r.data.map(str)).toEqual(["efghij"]);
    expect(r.done && str(r.rest)).toBe("RSET\r\n");
    expect(reader.remaining).toBe(0);
  });

  test("data and rest are views of the pushed chunk", () => {
    const chunk = bytes("12345NOOP\r\n");
    const r = new BdatReader(5).push(chunk);
    expect(r.data[0]?.buffer).toBe(chunk.buffer);
    expect(r.done && r.rest.buffer).toBe(chunk.buffer);
  });

  test("a negative, fractional or unsafe size is refused", () => {
    expect(() => new BdatReader(-1)).toThrow(RangeError);
    expect(() => new BdatReader(1.5)).toThrow(RangeError);
    expect(() => new BdatReader(2 ** 53)).toThrow(RangeError);
  });
});

describe("BdatReader properties", () => {
  test.prop([fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 400 }), cutsArb], {
    numRuns: 400,
  })("RFC 3030 §2: exactly chunk-size octets are data, the rest is rest, for any chunking", (input, size, cut) => {
    const r = readAll(size, splitAt(input, cut));
    expect(r.done).toBe(input.length >= size);
    expect([...r.data]).toEqual([...input.subarray(0, size)]);
    expect([...r.rest]).toEqual(r.done ? [...input.subarray(size)] : []);
    expect(r).toEqual(readAll(size, [input]));
  });
});
