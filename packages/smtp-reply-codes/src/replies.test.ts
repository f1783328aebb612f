import { describe, expect, expectTypeOf } from "vitest";
import { test } from "@fast-check/vitest";
import { describeEnhancedCode, formatEnhancedCode } from "./enhanced-code.js";
import { isReplyCode } from "./reply-codes.js";
import { Replies } from "./replies.js";

const entries = Object.entries(Replies);

describe("Replies", () => {
  test("has a few dozen constants", () => {
    expect(entries.length).toBeGreaterThanOrEqual(36);
  });

  test.each(entries)("%s is consistent: valid code, agreeing class, registered enhanced code, text", (_name, r) => {
    expect(isReplyCode(r.code)).toBe(true);
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.lines.join("").trim()).not.toBe("");
    const first = Math.floor(r.code / 100);
    if (r.enhanced === undefined) return;
    // RFC 2034 §4: the enhanced class agrees with the reply; 3xx carry none.
    expect(first).not.toBe(3);
    expect(r.enhanced.cls).toBe(first);
    // Every code used here is an exact entry of the IANA registry, not a made-up detail.
    expect(describeEnhancedCode(r.enhanced).match).toBe("exact");
  });

  test("gives 3xx replies and connection-opening greetings no enhanced code (RFC 2034 §4)", () => {
    for (const r of [Replies.startMailInput, Replies.serviceReady, Replies.noSmtpService, Replies.hostDoesNotAcceptMail]) {
      expect(r.enhanced).toBeUndefined();
    }
    for (const [, r] of entries) if (Math.floor(r.code / 100) === 3) expect(r.enhanced).toBeUndefined();
  });

  test.each([
    ["ok", 250, "2.0.0"],
    ["okSender", 250, "2.1.0"],
    ["okRecipient", 250, "2.1.5"],
    ["queued", 250, "2.0.0"],
    ["serviceClosing", 221, "2.0.0"],
    ["unknownMailbox", 550, "5.1.1"],
    ["tooManyRecipients", 452, "4.5.3"],
    ["messageTooBig", 552, "5.3.4"],
    ["authRequired", 530, "5.7.0"],
    ["encryptionRequired", 538, "5.7.11"],
    ["badSequence", 503, "5.5.1"],
    ["noValidRecipients", 554, "5.5.0"],
    ["commandUnrecognized", 500, "5.5.1"],
    ["syntaxError", 501, "5.5.4"],
    ["unknownParameter", 555, "5.5.4"],
    ["notImplemented", 502, "5.5.1"],
    ["localError", 451, "4.3.0"],
    ["serviceUnavailable", 421, "4.3.2"],
    ["shuttingDown", 421, "4.3.2"],
    ["authSucceeded", 235, "2.7.0"],
    ["authFailed", 535, "5.7.8"],
    ["authTooWeak", 534, "5.7.9"],
    ["tempAuthFailure", 454, "4.7.0"],
    ["tlsNotAvailable", 454, "4.7.0"],
    ["readyToStartTls", 220, "2.0.0"],
    ["requireTlsNeedsEncryption", 530, "5.7.10"],
    ["requireTlsNotSupported", 550, "5.7.30"],
    ["nullMx", 556, "5.1.10"],
    ["nonAsciiNotPermitted", 553, "5.6.7"],
    ["mailboxFull", 452, "4.2.2"],
    ["mailboxFullPermanent", 552, "5.2.2"],
    ["lineTooLong", 500, "5.5.2"],
    ["authLineTooLong", 500, "5.5.6"],
  ] as const)("%s is %i %s", (name, code, enhanced) => {
    const r = Replies[name];
    expect(r.code).toBe(code);
    expect(r.enhanced && formatEnhancedCode(r.enhanced)).toBe(enhanced);
  });

  test("is frozen, and its constants too", () => {
    expect(Object.isFrozen(Replies)).toBe(true);
    for (const [, r] of entries) expect(Object.isFrozen(r)).toBe(true);
  });

  test("types each constant's code precisely", () => {
    expectTypeOf(Replies.tooManyRecipients.code).toEqualTypeOf<452>();
    expectTypeOf(Replies.startMailInput.code).toEqualTypeOf<354>();
  });
});
