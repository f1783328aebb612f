import { describe, expect, expectTypeOf } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { reply } from "./reply.js";
import { replyCode } from "./test-support/arbitraries.js";
import { errorCodeOf } from "./test-support/errors.js";
import type { EnhancedCode } from "./types.js";

const subCode = fc.integer({ min: 0, max: 999 });

describe("reply()", () => {
  test("builds a Reply from a code, an enhanced code string and text", () => {
    expect(reply(550, "5.1.1", "No such user")).toEqual({
      code: 550,
      enhanced: { cls: 5, subject: 1, detail: 1 },
      lines: ["No such user"],
    });
  });

  test("takes an EnhancedCode value and several lines", () => {
    const r = reply(250, { cls: 2, subject: 0, detail: 0 }, ["first", "second", ""]);
    expect(r.enhanced).toEqual({ cls: 2, subject: 0, detail: 0 });
    expect(r.lines).toEqual(["first", "second", ""]);
  });

  test("leaves enhanced out, not undefined, when there is none", () => {
    const r = reply(220, undefined, "mx.example.org ESMTP");
    expect("enhanced" in r).toBe(false);
  });

  test("returns frozen values, copied from the caller's", () => {
    const lines = ["a"];
    const enhanced = { cls: 2 as const, subject: 0, detail: 0 };
    const r = reply(250, enhanced, lines);
    lines.push("b");
    enhanced.detail = 1;
    expect(r.lines).toEqual(["a"]);
    expect(r.enhanced?.detail).toBe(0);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.lines)).toBe(true);
    expect(Object.isFrozen(r.enhanced)).toBe(true);
  });

  test("keeps the code's literal type, and types enhanced as present when one is given", () => {
    const r = reply(452, "4.5.3", "Too many recipients");
    expectTypeOf(r.code).toEqualTypeOf<452>();
    expectTypeOf(r.enhanced).toEqualTypeOf<EnhancedCode>();
    expectTypeOf(reply(354, undefined, "go ahead").enhanced).toEqualTypeOf<EnhancedCode | undefined>();
    expect(r.enhanced.subject).toBe(5);
  });

  test.each([
    ["2xx with 5.x.x", 250, "5.0.0"],
    ["4xx with 5.x.x", 450, "5.2.0"],
    ["5xx with 4.x.x", 550, "4.1.1"],
    ["5xx with 2.x.x", 554, "2.0.0"],
  ])("refuses %s (RFC 2034 §4: the classes must agree)", (_why, code, enhanced) => {
    expect(errorCodeOf(() => reply(code, enhanced, "text"))).toBe("class-mismatch");
  });

  test.each([
    ["354", 354, "2.0.0"],
    ["334", 334, "2.7.0"],
  ])("refuses any enhanced code on %s (RFC 2034 §4: 3xx replies are not included)", (_why, code, enhanced) => {
    expect(errorCodeOf(() => reply(code, enhanced, "go ahead"))).toBe("class-mismatch");
    expect(reply(code, undefined, "go ahead").code).toBe(code);
  });

  test.each([199, 260, 600, 2500, 250.5, Number.NaN])("refuses %d as a reply code (RFC 5321 §4.2)", (code) => {
    expect(errorCodeOf(() => reply(code, undefined, "text"))).toBe("bad-reply-code");
  });

  test("refuses a malformed enhanced code", () => {
    expect(errorCodeOf(() => reply(550, "5.01.1", "text"))).toBe("bad-enhanced-code");
    expect(errorCodeOf(() => reply(550, { cls: 5, subject: 1, detail: 1000 }, "text"))).toBe("bad-enhanced-code");
  });

  test.each([
    ["no lines", []],
    ["a CR LF inside the text (reply smuggling)", "ok\r\n250 2.0.0 forged"],
    ["a bare LF", "ok\nmore"],
    ["a bare CR", "ok\rmore"],
    ["a line that is not a string", [42]],
  ])("refuses %s", (_why, text) => {
    expect(errorCodeOf(() => reply(250, "2.0.0", text as unknown as string[]))).toBe("bad-text");
  });

  test("accepts UTF-8 text (RFC 6531)", () => {
    expect(reply(250, "2.1.5", "Empfänger <jösé@例え.jp> OK").lines).toEqual(["Empfänger <jösé@例え.jp> OK"]);
  });

  test.prop([replyCode, subCode, subCode, fc.string().filter((s) => !/[\r\n]/.test(s))])(
    "accepts exactly the enhanced class of the reply's first digit, and none for 3xx",
    (code, subject, detail, text) => {
      const first = Math.floor(code / 100);
      for (const cls of [2, 4, 5] as const) {
        const failure = errorCodeOf(() => reply(code, { cls, subject, detail }, text));
        expect(failure).toBe(cls === first ? undefined : "class-mismatch");
      }
      expect(reply(code, undefined, text)).toEqual({ code, lines: [text] });
    },
  );

  test.prop([fc.anything(), fc.anything(), fc.anything()])(
    "never throws anything but a ReplyCodeError",
    (code, enhanced, text) => {
      const failure = errorCodeOf(() => reply(code as number, enhanced as string, text as string));
      expect(failure === undefined || !failure.startsWith("not a ReplyCodeError")).toBe(true);
    },
  );
});
