import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { Verb } from "./command.js";
import { startsWithCi, verbAt } from "./keyword.js";

const VERBS: readonly Verb[] = [
  "HELO",
  "EHLO",
  "LHLO",
  "MAIL",
  "RCPT",
  "DATA",
  "BDAT",
  "RSET",
  "VRFY",
  "EXPN",
  "HELP",
  "NOOP",
  "QUIT",
  "AUTH",
  "STARTTLS",
];

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Upper-case the letters of `s` where `mask` has a bit set, lower-case the others. */
function withCase(s: string, mask: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    out += (mask >> i) & 1 ? ch.toUpperCase() : ch.toLowerCase();
  }
  return out;
}

describe("verbAt", () => {
  test.prop([fc.constantFrom(...VERBS), fc.nat(255), fc.constantFrom("", " ", " x y")])(
    "RFC 5321 §2.4: verbs match in any case, on strings and bytes",
    (verb, mask, rest) => {
      const line = withCase(verb, mask) + rest;
      expect(verbAt(line, line.length)).toBe(verb);
      expect(verbAt(bytes(line), line.length)).toBe(verb);
    },
  );

  test.each([
    ["MAILX", "a longer word"],
    ["MAI", "a shorter word"],
    ["DATA\t", "a verb followed by HTAB instead of SP"],
    ["STARTTLSX", "STARTTLS followed by a letter"],
    ["STARTTL", "seven letters"],
    ["M@IL", "a non-letter that folds to a letter's neighbour"],
    ["", "the empty line"],
    [" MAIL", "a leading SP"],
    ["D\u0168LO", "a code unit above 0xff that would overlap the packed neighbour (reads as EHLO if unguarded)"],
    ["\u014dAIL", "a code unit above 0xff in the first place"],
  ])("%j is not a verb (%s)", (line) => {
    expect(verbAt(line, line.length)).toBeUndefined();
  });

  test("an eight-character line that is not STARTTLS is still read as a four-letter verb", () => {
    expect(verbAt("HELP abc", 8)).toBe("HELP");
    expect(verbAt("STARTTLS x", 10)).toBe("STARTTLS");
  });

  test("`end` bounds the line: text past it is not looked at", () => {
    expect(verbAt("QUITX", 4)).toBe("QUIT");
    expect(verbAt(bytes("DATA"), 3)).toBeUndefined();
  });

  test.prop([fc.string({ unit: "binary", maxLength: 12 })])(
    "a line is a verb exactly when its first word, upper-cased, is one",
    (line) => {
      const word = line.split(" ")[0] as string;
      const ascii = [...word].every((ch) => ch.charCodeAt(0) < 0x80);
      const expected = ascii && (VERBS as readonly string[]).includes(word.toUpperCase()) ? word.toUpperCase() : undefined;
      expect(verbAt(line, line.length)).toBe(expected);
    },
  );
});

describe("startsWithCi", () => {
  test.each([
    [" FROM:<a@b>", 0, " from:", true],
    [" From:", 0, " from:", true],
    ["x to:", 1, " to:", true],
    [" TO;", 0, " to:", false],
    // 0x1a | 0x20 is ":", so non-letters must not be case-folded.
    [" TO\u001a", 0, " to:", false],
    [" T", 0, " to:", false],
    ["LAST", 0, "last", true],
    ["LAS\u0154", 0, "last", false],
  ])("%j at %i against %j is %s", (s, i, lower, expected) => {
    expect(startsWithCi(s, i, lower)).toBe(expected);
  });
});
