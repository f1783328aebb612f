import { describe, expect } from "vitest";
import { test } from "@fast-check/vitest";
import { ReplyCodeError } from "./errors.js";

describe("ReplyCodeError", () => {
  test("carries a stable code, a name and a cause", () => {
    const cause = new Error("inner");
    const error = new ReplyCodeError("class-mismatch", "550 with 4.1.1", { cause });
    expect(error.code).toBe("class-mismatch");
    expect(error.name).toBe("ReplyCodeError");
    expect(error.message).toBe("550 with 4.1.1");
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  test("isInstance recognises its own errors and the brand of another copy of the package", () => {
    expect(ReplyCodeError.isInstance(new ReplyCodeError("bad-text", "x"))).toBe(true);
    // A second install of the package has another class but the same Symbol.for brand.
    const foreign = Object.defineProperty(new Error("x"), Symbol.for("@smtpkit/smtp-reply-codes/ReplyCodeError"), {
      value: true,
    });
    expect(ReplyCodeError.isInstance(foreign)).toBe(true);
  });

  test("isInstance refuses everything else", () => {
    for (const value of [new Error("x"), { code: "bad-text" }, null, undefined, "ReplyCodeError", 1]) {
      expect(ReplyCodeError.isInstance(value)).toBe(false);
    }
  });
});
