/**
 * Expectations on the SmtpSyntaxError that a parser or formatter throws.
 * Test-only: not exported from the package.
 */
import { expect } from "vitest";
import { SmtpSyntaxError, type SmtpSyntaxErrorCode } from "../errors.js";

/** The error `fn` throws; fails the test when it throws nothing or something else. */
export function caught(fn: () => unknown): SmtpSyntaxError {
  try {
    fn();
  } catch (e) {
    if (SmtpSyntaxError.isInstance(e)) return e;
    throw e;
  }
  throw new Error("expected an SmtpSyntaxError");
}

/** `fn` throws an SmtpSyntaxError with `code` and the reply `basic` `enhanced` (e.g. 501, "5.5.4"). */
export function expectError(fn: () => unknown, code: SmtpSyntaxErrorCode, basic: number, enhanced: string): void {
  const e = caught(fn);
  expect(e.code).toBe(code);
  expect(e.reply.code).toBe(basic);
  const en = e.reply.enhanced;
  expect(en && `${en.cls}.${en.subject}.${en.detail}`).toBe(enhanced);
}

/** `f` throws an SmtpSyntaxError with code "bad-reply". */
export function expectBadReply(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(SmtpSyntaxError.isInstance(e) && e.code === "bad-reply").toBe(true);
    return;
  }
  throw new Error("expected a bad-reply SmtpSyntaxError");
}
