import { classify, formatEnhancedCode } from "@smtpkit/smtp-reply-codes";
import { describe, expect, test } from "vitest";
import { MX_ERRORS, MxResolutionError, type MxResolutionErrorCode } from "./errors.js";

describe("MxResolutionError", () => {
  test.each(Object.entries(MX_ERRORS) as [MxResolutionErrorCode, (typeof MX_ERRORS)[MxResolutionErrorCode]][])(
    "%s: temporary agrees with the reply's class (RFC 5321 §4.2.1)",
    (code, kind) => {
      const e = new MxResolutionError(code, "example.test", "why");
      expect(e.temporary).toBe(kind.temporary);
      expect(e.permanent).toBe(!kind.temporary);
      expect(classify(e.reply)).toBe(kind.temporary ? "transient" : "permanent");
      expect(e.reply.enhanced?.cls).toBe(kind.temporary ? 4 : 5);
    },
  );

  test("RFC 7505 §4.2 / RFC 7504: null MX is 556 5.1.10", () => {
    const e = new MxResolutionError("null-mx", "example.test", "no mail");
    expect(e.reply.code).toBe(556);
    expect(formatEnhancedCode(e.reply.enhanced as NonNullable<typeof e.reply.enhanced>)).toBe("5.1.10");
  });

  test("carries code, category, domain, message and cause; the brand survives a copy of the class", () => {
    const cause = new Error("ESERVFAIL");
    const e = new MxResolutionError("dns-failure", "example.test", "MX lookup failed", { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("MxResolutionError");
    expect(e.code).toBe("dns-failure");
    expect(e.category).toBe("dns");
    expect(e.domain).toBe("example.test");
    expect(e.message).toBe("MX lookup failed");
    expect(e.cause).toBe(cause);
    expect(MxResolutionError.isInstance(e)).toBe(true);
    const foreign = Object.defineProperty(new Error("x"), Symbol.for("@smtpkit/smtp-dns-mx/MxResolutionError"), { value: true });
    expect(MxResolutionError.isInstance(foreign)).toBe(true);
    expect(MxResolutionError.isInstance(new Error("x"))).toBe(false);
    expect(MxResolutionError.isInstance(null)).toBe(false);
    expect(MxResolutionError.isInstance("dns-failure")).toBe(false);
  });
});
