import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { classify, enhancedClass, isPermanent, isTransient } from "./classify.js";
import { replyCode } from "./test-support/arbitraries.js";
import { errorCodeOf } from "./test-support/errors.js";
import type { Reply } from "./types.js";

const EXPECTED = { 2: "success", 3: "intermediate", 4: "transient", 5: "permanent" } as const;

describe("classify (RFC 5321 §4.2.1)", () => {
  test.each([
    [250, "success"],
    [354, "intermediate"],
    [334, "intermediate"],
    [421, "transient"],
    [550, "permanent"],
  ] as const)("%i is %s", (code, expected) => {
    expect(classify(code)).toBe(expected);
    const r: Reply = { code, lines: ["text"] };
    expect(classify(r)).toBe(expected);
  });

  test.prop([replyCode])("agrees with the first digit for every valid code", (code) => {
    const first = Math.floor(code / 100) as 2 | 3 | 4 | 5;
    expect(classify(code)).toBe(EXPECTED[first]);
    expect(isTransient(code)).toBe(first === 4);
    expect(isPermanent(code)).toBe(first === 5);
    expect(enhancedClass(code)).toBe(first === 3 ? undefined : first);
  });

  test.prop([fc.oneof(fc.integer(), fc.double())])("throws bad-reply-code for any number that is not a reply code", (n) => {
    const valid = Number.isInteger(n) && n >= 200 && n <= 599 && Math.floor(n / 10) % 10 <= 5;
    expect(errorCodeOf(() => classify(n))).toBe(valid ? undefined : "bad-reply-code");
  });

  test.each([199, 260, 600, 1250, -250, 250.5])("refuses %d (RFC 5321 §4.2: second digit 0-5)", (n) => {
    expect(errorCodeOf(() => classify(n))).toBe("bad-reply-code");
    expect(errorCodeOf(() => isTransient(n))).toBe("bad-reply-code");
  });

  test("refuses a reply object without a numeric code", () => {
    expect(errorCodeOf(() => classify({ code: "250" } as unknown as { code: number }))).toBe("bad-reply-code");
  });
});

describe("enhancedClass (RFC 2034 §4)", () => {
  test("gives the class an enhanced code must have, and none for 3xx", () => {
    expect(enhancedClass(250)).toBe(2);
    expect(enhancedClass(354)).toBeUndefined();
    expect(enhancedClass(452)).toBe(4);
    expect(enhancedClass({ code: 550 })).toBe(5);
  });
});
