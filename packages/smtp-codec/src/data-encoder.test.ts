import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { DataEncoder, normalizeLineEndings } from "./data-encoder.js";
import { bytes, concatBytes, cutsArb, splitAt, str } from "./test-support/chunks.js";

function encodeAll(chunks: readonly Uint8Array[]): { wire: string; pushes: { in: number; out: number }[] } {
  const encoder = new DataEncoder();
  const parts: Uint8Array[] = [];
  const pushes: { in: number; out: number }[] = [];
  for (const chunk of chunks) {
    const out = encoder.push(chunk);
    parts.push(...out);
    pushes.push({ in: chunk.length, out: out.reduce((n, p) => n + p.length, 0) });
  }
  parts.push(...encoder.end());
  return { wire: str(concatBytes(parts)), pushes };
}

/** RFC 5321 §2.3.8, §4.5.2, §4.1.1.4 over a whole string: normalise, stuff, terminate. */
function reference(message: string): string {
  const normal = str(normalizeLineEndings(bytes(message)));
  const stuffed = `\r\n${normal}`.replaceAll("\r\n.", "\r\n..").slice(2);
  return stuffed === "" || stuffed.endsWith("\r\n") ? `${stuffed}.\r\n` : `${stuffed}\r\n.\r\n`;
}

const message = fc
  .array(
    fc.oneof(
      fc.constantFrom("\r\n", "\r", "\n", ".", "..", "\r\n.", ".\r\n", "\r\n.\r\n", "\n.\n", "\r.\r").map(bytes),
      fc.uint8Array({ maxLength: 16 }),
      fc.string({ unit: fc.constantFrom("a", "b", " ", "."), maxLength: 40 }).map(bytes),
    ),
    { maxLength: 30 },
  )
  .map(concatBytes);

describe("DataEncoder known answers", () => {
  test.each([
    ["Subject: hi\r\n\r\nHello\r\n", "Subject: hi\r\n\r\nHello\r\n.\r\n"],
    ["Hello", "Hello\r\n.\r\n"],
    ["", ".\r\n"],
  ])("RFC 5321 §4.1.1.4: %j ends with CRLF . CRLF, adding CRLF only when the last line lacks one", (m, wire) => {
    expect(encodeAll([bytes(m)]).wire).toBe(wire);
  });

  test.each([
    [".", "..\r\n.\r\n"],
    [".\r\n", "..\r\n.\r\n"],
    ["a\r\n.b\r\n", "a\r\n..b\r\n.\r\n"],
    ["a\r\n..\r\n", "a\r\n...\r\n.\r\n"],
    ["a.b\r\n", "a.b\r\n.\r\n"],
  ])("RFC 5321 §4.5.2: a line beginning with '.' gets one more: %j", (m, wire) => {
    expect(encodeAll([bytes(m)]).wire).toBe(wire);
  });

  test.each([
    ["a\nb", "a\r\nb\r\n.\r\n"],
    ["a\rb", "a\r\nb\r\n.\r\n"],
    ["a\r\r\nb", "a\r\n\r\nb\r\n.\r\n"],
    ["a\n\rb", "a\r\n\r\nb\r\n.\r\n"],
    ["\n.\n", "\r\n..\r\n.\r\n"],
    ["\r.\r", "\r\n..\r\n.\r\n"],
    ["\n", "\r\n.\r\n"],
    ["\r", "\r\n.\r\n"],
  ])("RFC 5321 §2.3.8: bare CR and bare LF are sent as CRLF: %j", (m, wire) => {
    expect(encodeAll([bytes(m)]).wire).toBe(wire);
  });

  test("RFC 5321 §2.3.8: a CR at the end of a chunk waits to see whether LF follows", () => {
    const encoder = new DataEncoder();
    expect(encoder.push(bytes("a\r")).map(str)).toEqual(["a"]);
    expect(encoder.push(bytes("\n.b")).map(str)).toEqual(["\r\n..b"]);
    expect(encoder.push(bytes("\r")).map(str)).toEqual([]);
    expect(encoder.end().map(str)).toEqual(["\r\n.\r\n"]);
  });

  test("a chunk that needs no change comes back as a view of itself", () => {
    const chunk = bytes("Subject: hi\r\n\r\nbody\r\n");
    const out = new DataEncoder().push(chunk);
    expect(out).toHaveLength(1);
    expect(out[0]?.buffer).toBe(chunk.buffer);
    expect(str(out[0] ?? new Uint8Array())).toBe("Subject: hi\r\n\r\nbody\r\n");
  });

  test("a chunk whose only change is a held-back final CR is still a view", () => {
    const chunk = bytes("line\r\nnext\r");
    const out = new DataEncoder().push(chunk);
    expect(out.map(str)).toEqual(["line\r\nnext"]);
    expect(out[0]?.buffer).toBe(chunk.buffer);
  });

  test("a chunk with edits comes back as one buffer", () => {
    const out = new DataEncoder().push(bytes("l\n".repeat(40)));
    expect(out).toHaveLength(1);
    expect(str(out[0] ?? new Uint8Array())).toBe("l\r\n".repeat(40));
  });

  test("push after end, or end twice, is a programming error", () => {
    const encoder = new DataEncoder();
    encoder.end();
    expect(() => encoder.push(bytes("x"))).toThrow(Error);
    expect(() => encoder.end()).toThrow(Error);
  });

  test.each([
    ["a\r\nb", "a\r\nb"],
    ["\r\r\n\n", "\r\n\r\n\r\n"],
    ["\n\r", "\r\n\r\n"],
    ["", ""],
  ])("RFC 5321 §2.3.8: normalizeLineEndings(%j)", (input, output) => {
    expect(str(normalizeLineEndings(bytes(input)))).toBe(output);
  });
});

describe("DataEncoder properties", () => {
  test.prop([message, cutsArb], { numRuns: 400 })(
    "RFC 5321 §2.3.8, §4.5.2, §4.1.1.4: any chunking encodes as normalise + stuff + terminator",
    (m, cut) => {
      expect(encodeAll(splitAt(m, cut)).wire).toBe(reference(str(m)));
    },
  );

  test.prop([message, cutsArb], { numRuns: 300 })(
    "RFC 5321 §2.3.8: the wire has no bare CR or LF, and CRLF . CRLF only at its very end",
    (m, cut) => {
      const { wire } = encodeAll(splitAt(m, cut));
      expect(/\r(?!\n)/.test(wire)).toBe(false);
      expect(/(?<!\r)\n/.test(wire)).toBe(false);
      // The data follow the CRLF of the DATA command.
      expect(`\r\n${wire}`.indexOf("\r\n.\r\n")).toBe(wire.length - 3);
    },
  );

  test.prop([message, cutsArb], { numRuns: 300 })(
    "memory stays bounded: one push returns at most twice its chunk plus two octets",
    (m, cut) => {
      for (const p of encodeAll(splitAt(m, cut)).pushes) expect(p.out).toBeLessThanOrEqual(2 * p.in + 2);
    },
  );

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 300 })(
    "RFC 5321 §2.3.8: normalizeLineEndings is idempotent, leaves no bare CR/LF and keeps every other octet",
    (input) => {
      const once = normalizeLineEndings(input);
      expect([...normalizeLineEndings(once)]).toEqual([...once]);
      const s = str(once);
      expect(/\r(?!\n)|(?<!\r)\n/.test(s)).toBe(false);
      expect(s.replace(/[\r\n]/g, "")).toBe(str(input).replace(/[\r\n]/g, ""));
    },
  );
});
