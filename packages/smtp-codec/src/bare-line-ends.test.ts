import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { BARE_CR, BARE_LF, scanBareLineEnds } from "./bare-line-ends.js";

/** The rule octet by octet, as RFC 5322 §2.3 states it: the reference for the word-wise scan. */
function reference(bytes: Uint8Array, end: number, afterCr: boolean): number {
  let found = 0;
  for (let i = 0; i < end; i++) {
    const before = i === 0 ? afterCr : bytes[i - 1] === 0x0d;
    if (bytes[i] === 0x0a && !before) found |= BARE_LF;
    if (before && bytes[i] !== 0x0a) found |= BARE_CR;
  }
  return found;
}

// Mostly CR, LF and text, so that every mix of line ends lands in every lane of a word.
const octet = fc.oneof(fc.constant(0x0d), fc.constant(0x0a), fc.constant(0x2e), fc.constant(0x41), fc.integer({ min: 0, max: 255 }));

/** `bytes` placed at `shift` in a larger buffer, so the scan meets every alignment. */
function placed(bytes: number[], shift: number): Uint8Array {
  const backing = new Uint8Array(bytes.length + 8);
  backing.set(bytes, shift);
  return backing.subarray(shift, shift + bytes.length);
}

describe("RFC 5322 §2.3: bare CR and bare LF", () => {
  const cases: [string, string, boolean, number][] = [
    ["CRLF lines", "ab\r\ncd\r\n", false, 0],
    ["a bare LF", "ab\ncd\r\n", false, BARE_LF],
    ["a bare CR", "ab\rcd\r\n", false, BARE_CR],
    ["both", "a\rb\nc", false, BARE_CR | BARE_LF],
    ["CR CR LF: the first CR is bare", "ab\r\r\n", false, BARE_CR],
    ["LF first, with a CR before the chunk", "\nabcdefgh", true, 0],
    ["LF first, without one", "\nabcdefgh", false, BARE_LF],
    ["a CR carried in, then text", "abcdefgh", true, BARE_CR],
    ["a CR at the end is not judged yet", "abcdefg\r", false, 0],
  ];
  for (const [name, text, afterCr, expected] of cases) {
    test(name, () => {
      for (let shift = 0; shift < 4; shift++) {
        const bytes = placed([...Buffer.from(text, "latin1")], shift);
        expect(scanBareLineEnds(bytes, bytes.length, afterCr)).toBe(expected);
      }
    });
  }
});

describe("properties", () => {
  test.prop([fc.array(octet, { maxLength: 80 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.nat()], { numRuns: 2000 })(
    "the word-wise scan agrees with the octet rule at every alignment and end",
    (arr, shift, afterCr, cut) => {
      const bytes = placed(arr, shift);
      const end = arr.length === 0 ? 0 : cut % (arr.length + 1);
      expect(scanBareLineEnds(bytes, end, afterCr)).toBe(reference(bytes, end, afterCr));
    },
  );
  test.prop([fc.array(octet, { maxLength: 40 }), fc.constantFrom(0, BARE_CR, BARE_LF, BARE_CR | BARE_LF)])(
    "flags already known stay set and add to what is found",
    (arr, skip) => {
      const bytes = Uint8Array.from(arr);
      const found = scanBareLineEnds(bytes, bytes.length, false, skip);
      expect(found & skip).toBe(skip);
      expect(found | skip).toBe(reference(bytes, bytes.length, false) | skip);
    },
  );
});
