import { describe, expect, test } from "vitest";
import { cancelled, isCancel, SaslError, type SaslErrorCode, saslErrorReply } from "./errors.js";

describe("saslErrorReply: the reply a server sends (RFC 4954 §4, §6)", () => {
  const table: [SaslErrorCode, number, string, string][] = [
    ["malformed", 501, "5.5.2", "Invalid authentication response"],
    ["cancelled", 501, "5.7.0", "Authentication cancelled"],
    ["bad-credentials", 535, "5.7.8", "Authentication credentials invalid"],
    ["not-authorized", 535, "5.7.8", "Authentication credentials invalid"],
    ["downgrade", 535, "5.7.8", "Authentication credentials invalid"],
    ["channel-binding", 535, "5.7.8", "Authentication credentials invalid"],
    ["temporary", 454, "4.7.0", "Temporary authentication failure"],
    ["unsupported-mechanism", 504, "5.5.4", "Unrecognized authentication type"],
    ["too-weak", 534, "5.7.9", "Authentication mechanism is too weak"],
    ["encryption-required", 538, "5.7.11", "Encryption required for requested authentication mechanism"],
    ["too-long", 500, "5.5.6", "Authentication Exchange line is too long"],
    ["unrepresentable", 501, "5.5.2", "Invalid authentication response"],
    ["bad-server-signature", 501, "5.5.2", "Invalid authentication response"],
  ];
  for (const [code, basic, enhanced, text] of table) {
    test(`${code} -> ${basic} ${enhanced}`, () => {
      const reply = saslErrorReply(new SaslError(code));
      expect(reply.code).toBe(basic);
      expect(`${reply.enhanced.cls}.${reply.enhanced.subject}.${reply.enhanced.detail}`).toBe(enhanced);
      expect(reply.lines).toEqual([text]);
      expect(new SaslError(code).reply).toBe(reply);
    });
  }

  test("anything that is not a SaslError is the server's fault: 454 4.7.0", () => {
    for (const thrown of [new Error("db down"), "string", undefined, { code: "malformed" }]) {
      expect(saslErrorReply(thrown).code).toBe(454);
    }
  });

  test("the replies are frozen", () => {
    const reply = saslErrorReply(new SaslError("bad-credentials"));
    expect(Object.isFrozen(reply)).toBe(true);
    expect(Object.isFrozen(reply.lines)).toBe(true);
  });
});

describe("SaslError", () => {
  test("code, name, temporary, cause, oauth", () => {
    const cause = new Error("ldap timeout");
    const e = new SaslError("temporary", undefined, { cause });
    expect(e.name).toBe("SaslError");
    expect(e.code).toBe("temporary");
    expect(e.temporary).toBe(true);
    expect(e.cause).toBe(cause);
    expect(e.message).toBe("Temporary authentication failure");
    expect(new SaslError("bad-credentials").temporary).toBe(false);
    expect(new SaslError("bad-credentials", "x", { oauth: { status: "invalid_token" } }).oauth).toEqual({ status: "invalid_token" });
    expect("oauth" in new SaslError("bad-credentials")).toBe(false);
  });

  test("isInstance recognises the brand, also on an error from another copy of the package", () => {
    expect(SaslError.isInstance(new SaslError("malformed"))).toBe(true);
    const foreign = Object.assign(new Error("x"), { code: "malformed" });
    Object.defineProperty(foreign, Symbol.for("@smtpkit/smtp-sasl/SaslError"), { value: true });
    expect(SaslError.isInstance(foreign)).toBe(true);
    expect(saslErrorReply(foreign).code).toBe(501);
    expect(SaslError.isInstance(new Error("x"))).toBe(false);
    expect(SaslError.isInstance(null)).toBe(false);
    expect(SaslError.isInstance("malformed")).toBe(false);
  });
});

describe("cancellation (RFC 4954 §4: a line of a single '*')", () => {
  test("isCancel takes the line without CRLF, as text or bytes", () => {
    expect(isCancel("*")).toBe(true);
    expect(isCancel(new Uint8Array([0x2a]))).toBe(true);
    for (const other of ["", "**", " *", "* ", "*\r\n", "Kg=="]) expect(isCancel(other)).toBe(false);
    expect(isCancel(new Uint8Array([0x2a, 0x2a]))).toBe(false);
    expect(isCancel(new Uint8Array(0))).toBe(false);
  });

  test("cancelled() is SaslError 'cancelled', which the server answers with 501 5.7.0", () => {
    const e = cancelled();
    expect(SaslError.isInstance(e)).toBe(true);
    expect(e.code).toBe("cancelled");
    expect(saslErrorReply(e).code).toBe(501);
  });
});
