import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { MAX_STS_MAX_AGE, matchesMxPattern, normalizeMxPattern, parseStsPolicy, type StsPolicy } from "./sts-policy.js";

function ok(text: string): StsPolicy {
  const r = parseStsPolicy(text);
  if (!r.ok) throw new Error(r.error);
  return r.policy;
}

describe("RFC 8461 §3.2: the policy file", () => {
  test("RFC 8461 §3.2: the RFC's example policy", () => {
    const text = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n";
    expect(ok(text)).toEqual({
      version: "STSv1",
      mode: "enforce",
      maxAge: 604800,
      mx: ["mail.example.com", "*.example.net", "backupmx.example.com"],
      extensions: [],
    });
  });

  test("RFC 8461 §3.2: LF line ends, fields in any order, whitespace after ':' and at line end, no final newline", () => {
    expect(ok("max_age:86400  \nmx:\tMX.Example.COM\nmode: testing\nversion: STSv1")).toMatchObject({
      mode: "testing",
      maxAge: 86400,
      mx: ["mx.example.com"],
    });
  });

  test("RFC 8461 §3.2: first of a repeated field wins, every mx counts, unknown fields are kept aside", () => {
    expect(ok("version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmx: b.example\nmax_age: 10\nmax_age: 20\nx-note: hi there\n")).toEqual({
      version: "STSv1",
      mode: "testing",
      maxAge: 10,
      mx: ["a.example", "b.example"],
      extensions: [["x-note", "hi there"]],
    });
  });

  test("RFC 8461 §3.2: mode none needs no mx", () => {
    expect(ok("version: STSv1\nmode: none\nmax_age: 86400\n")).toMatchObject({ mode: "none", mx: [] });
  });

  test(`RFC 8461 §3.2: max_age above ${MAX_STS_MAX_AGE} is read as one year`, () => {
    expect(ok("version: STSv1\nmode: none\nmax_age: 9999999999\n").maxAge).toBe(MAX_STS_MAX_AGE);
  });

  test("an invalid mx pattern is left out (narrowing only); U-labels become A-labels", () => {
    expect(ok("version: STSv1\nmode: enforce\nmx: bad_host.example\nmx: *.bücher.example\nmax_age: 1\n").mx).toEqual(["*.xn--bcher-kva.example"]);
  });

  test.each([
    ["mode: enforce\nmx: a.example\nmax_age: 1\n", "version"],
    ["version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "version"],
    ["version: STSv1\nmx: a.example\nmax_age: 1\n", "mode"],
    ["version: STSv1\nmode: report\nmx: a.example\nmax_age: 1\n", "mode"],
    ["version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n", "mode"],
    ["version: STSv1\nmode: enforce\nmx: a.example\n", "max_age"],
    ["version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "max_age"],
    ["version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", "max_age"],
    ["version: STSv1\nmode: enforce\nmax_age: 1\n", "no mx field"],
    ["version: STSv1\nmode: testing\nmx: -bad.example\nmax_age: 1\n", "no valid mx"],
    ["<html>not a policy</html>", "key: value"],
    ["version = STSv1\n", "key: value"],
  ])("RFC 8461 §3.2: %j is refused (%s)", (text, why) => {
    const r = parseStsPolicy(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });

  test.prop([fc.string({ maxLength: 200 })])("arbitrary text never throws", (s) => {
    const r = parseStsPolicy(s);
    expect(typeof r.ok).toBe("boolean");
  });
});

describe("RFC 8461 §4.1: mx patterns", () => {
  test.each([
    ["mail.example.com", "mail.example.com", true],
    ["mail.example.com", "MAIL.Example.com", true],
    ["mail.example.com", "mail2.example.com", false],
    ["*.example.com", "mx1.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "mx1.example.com.evil", false],
    ["*.example.com", ".example.com", false],
  ])("RFC 8461 §4.1: %s matches %s: %s", (pattern, host, expected) => {
    expect(matchesMxPattern(pattern, host)).toBe(expected);
  });

  test("normalizeMxPattern", () => {
    expect(normalizeMxPattern("*.Example.COM")).toBe("*.example.com");
    expect(normalizeMxPattern("*.*.example.com")).toBeUndefined();
    expect(normalizeMxPattern("mx*.example.com")).toBeUndefined();
    expect(normalizeMxPattern("*")).toBeUndefined();
  });
});
