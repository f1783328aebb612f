import { inspect } from "node:util";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { Secret } from "./secret.js";

const printed = (value: unknown): string[] => [
  String(value),
  `${value}`,
  JSON.stringify(value),
  JSON.stringify({ nested: { value } }),
  inspect(value),
  inspect({ nested: [value] }, { depth: 10, showHidden: true }),
  // biome-ignore lint/style/useTemplate: string concatenation is one of the ways a value gets printed
  "" + value,
];

describe("Secret: never printed", () => {
  test("every usual way of printing gives [redacted]", () => {
    const s = new Secret("hunter2-pass");
    expect(String(s)).toBe("[redacted]");
    expect(JSON.stringify(s)).toBe('"[redacted]"');
    expect(inspect(s)).toBe("[redacted]");
    for (const text of printed(s)) expect(text).not.toContain("hunter2");
  });

  test("bytes too, and the value is not an own property", () => {
    const s = new Secret(new TextEncoder().encode("opensesame"));
    for (const text of printed(s)) expect(text).not.toContain("opensesame");
    expect(Object.keys(s)).toEqual([]);
    expect(Object.getOwnPropertyNames(s)).toEqual([]);
    expect({ ...s }).toEqual({});
  });

  test.prop([fc.string({ minLength: 8, maxLength: 40, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789") })])(
    "an arbitrary value never shows up in what is printed",
    (value) => {
      for (const text of printed(new Secret(value))) expect(text).not.toContain(value);
    },
  );
});

describe("Secret: explicit access", () => {
  test("reveal() and revealBytes() give the value", () => {
    const s = new Secret("päss");
    expect(s.reveal()).toBe("päss");
    expect(Array.from(s.revealBytes())).toEqual([0x70, 0xc3, 0xa4, 0x73, 0x73]);
  });

  test("bytes are copied in and out", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const s = new Secret(bytes);
    bytes[0] = 9;
    const out = s.revealBytes();
    out[1] = 9;
    expect(Array.from(s.revealBytes())).toEqual([1, 2, 3]);
  });

  test("invalid UTF-8 bytes reveal as U+FFFD text but exact bytes", () => {
    const s = new Secret(new Uint8Array([0x61, 0xff]));
    expect(s.reveal()).toBe("a\uFFFD");
    expect(Array.from(s.revealBytes())).toEqual([0x61, 0xff]);
  });

  test("equals compares octets, string or bytes", () => {
    const s = new Secret("abc");
    expect(s.equals("abc")).toBe(true);
    expect(s.equals(new TextEncoder().encode("abc"))).toBe(true);
    expect(s.equals(new Secret("abc"))).toBe(true);
    expect(s.equals("abcd")).toBe(false);
    expect(s.equals("")).toBe(false);
    expect(new Secret("").equals("")).toBe(true);
  });

  test("from() keeps a Secret, wraps anything else; isInstance checks the brand", () => {
    const s = new Secret("x");
    expect(Secret.from(s)).toBe(s);
    expect(Secret.from("y").reveal()).toBe("y");
    expect(Secret.isInstance(s)).toBe(true);
    expect(Secret.isInstance("x")).toBe(false);
    expect(() => new Secret(42 as unknown as string)).toThrow(TypeError);
  });

  test("a Secret of another copy of the package is read through its public API", () => {
    const foreign = { revealBytes: () => new TextEncoder().encode("other") };
    Object.defineProperty(foreign, Symbol.for("@smtpkit/smtp-sasl/Secret"), { value: true });
    expect(Secret.from(foreign as unknown as Secret).reveal()).toBe("other");
  });
});
