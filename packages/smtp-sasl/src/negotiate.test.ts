import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { SUPPORTED_MECHANISMS } from "./mechanisms.js";
import { CLIENT_MECHANISM_ORDER, chooseMechanism } from "./negotiate.js";
import { expectSaslError } from "./test-support/helpers.js";

/** Every name, weakest first: the server's order must not matter. */
const ALL: string[] = [...SUPPORTED_MECHANISMS].reverse();
const PASSWORD = { username: "user", password: "pencil" };
const BINDING = { "tls-exporter": new Uint8Array(32) };

/** The one place the tests spell out the default order; server.test.ts relies on CLIENT_MECHANISM_ORDER, pinned here. */
const DEFAULT_ORDER = "SCRAM-SHA-256-PLUS > SCRAM-SHA-256 > SCRAM-SHA-1-PLUS > SCRAM-SHA-1 > OAUTHBEARER > XOAUTH2 > CRAM-MD5 > PLAIN > LOGIN";

describe("chooseMechanism: the default order", () => {
  test(DEFAULT_ORDER, () => {
    expect(CLIENT_MECHANISM_ORDER).toEqual(DEFAULT_ORDER.split(" > "));
  });

  test("a password over TLS: the strongest offered, step by step down the order", () => {
    const offered = [...ALL];
    const picks: string[] = [];
    for (;;) {
      const pick = chooseMechanism(offered, PASSWORD, { encrypted: true, channelBinding: BINDING });
      if (pick === undefined) break;
      picks.push(pick);
      offered.splice(offered.indexOf(pick), 1);
    }
    expect(picks).toEqual(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"]);
  });

  test("without binding data the -PLUS names are skipped", () => {
    expect(chooseMechanism(ALL, PASSWORD, { encrypted: true })).toBe("SCRAM-SHA-256");
    expect(chooseMechanism(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1"], PASSWORD, { encrypted: true })).toBe("SCRAM-SHA-1");
  });

  test("with binding data a -PLUS name of SHA-1 beats SCRAM-SHA-256 (which would have to say 'y' to a binding server)", () => {
    expect(chooseMechanism(["SCRAM-SHA-256", "SCRAM-SHA-1-PLUS"], PASSWORD, { encrypted: true, channelBinding: BINDING })).toBe("SCRAM-SHA-1-PLUS");
  });

  test("a token: OAUTHBEARER before XOAUTH2; XOAUTH2 needs a user name", () => {
    expect(chooseMechanism(ALL, { username: "u", token: "t" }, { encrypted: true })).toBe("OAUTHBEARER");
    expect(chooseMechanism(["XOAUTH2", "PLAIN"], { username: "u", token: "t" }, { encrypted: true })).toBe("XOAUTH2");
    expect(chooseMechanism(["XOAUTH2"], { token: "t" }, { encrypted: true })).toBeUndefined();
    expect(chooseMechanism(["OAUTHBEARER"], { token: "t" }, { encrypted: true })).toBe("OAUTHBEARER");
  });

  test("password and token: SCRAM first, then the token mechanisms, then the rest", () => {
    const both = { ...PASSWORD, token: "t" };
    expect(chooseMechanism(["PLAIN", "XOAUTH2", "CRAM-MD5"], both, { encrypted: true })).toBe("XOAUTH2");
    expect(chooseMechanism(["PLAIN", "XOAUTH2", "SCRAM-SHA-1"], both, { encrypted: true })).toBe("SCRAM-SHA-1");
  });

  test("EXTERNAL only when the credentials ask for it, and then first", () => {
    expect(chooseMechanism(ALL, PASSWORD, { encrypted: true })).not.toBe("EXTERNAL");
    expect(chooseMechanism(ALL, { ...PASSWORD, external: true }, { encrypted: true })).toBe("EXTERNAL");
    expect(chooseMechanism(["PLAIN"], { external: true }, { encrypted: true })).toBeUndefined();
  });

  test("offered names are case-insensitive; the result is upper-case", () => {
    expect(chooseMechanism(["plain", "scram-sha-1"], PASSWORD, { encrypted: true })).toBe("SCRAM-SHA-1");
  });

  test("nothing in common: undefined", () => {
    expect(chooseMechanism([], PASSWORD, { encrypted: true })).toBeUndefined();
    expect(chooseMechanism(["GSSAPI", "NTLM"], PASSWORD, { encrypted: true })).toBeUndefined();
  });
});

describe("chooseMechanism: never a plaintext mechanism on a clear channel unless allowed", () => {
  test("PLAIN, LOGIN, XOAUTH2, OAUTHBEARER are skipped without encryption", () => {
    expect(chooseMechanism(["PLAIN", "LOGIN"], PASSWORD, { encrypted: false })).toBeUndefined();
    expect(chooseMechanism(["XOAUTH2", "OAUTHBEARER"], { username: "u", token: "t" }, { encrypted: false })).toBeUndefined();
    expect(chooseMechanism(["PLAIN", "LOGIN", "CRAM-MD5"], PASSWORD, { encrypted: false })).toBe("CRAM-MD5");
    expect(chooseMechanism(["PLAIN", "LOGIN", "SCRAM-SHA-256"], PASSWORD, { encrypted: false })).toBe("SCRAM-SHA-256");
  });

  test("allowPlaintext or TLS lets them through", () => {
    expect(chooseMechanism(["LOGIN", "PLAIN"], PASSWORD, { encrypted: false, allowPlaintext: true })).toBe("PLAIN");
    expect(chooseMechanism(["LOGIN", "PLAIN"], PASSWORD, { encrypted: true })).toBe("PLAIN");
  });
});

describe("chooseMechanism: credentials a mechanism cannot carry are skipped", () => {
  test("a NUL in the user name rules out PLAIN and SCRAM, not LOGIN", () => {
    expect(chooseMechanism(["SCRAM-SHA-256", "PLAIN", "LOGIN"], { username: "a\0b", password: "p" }, { encrypted: true })).toBe("LOGIN");
  });

  test("a token that is not a b64token rules out both token mechanisms", () => {
    expect(chooseMechanism(["OAUTHBEARER", "XOAUTH2"], { username: "u", token: "not a token" }, { encrypted: true })).toBeUndefined();
  });
});

describe("chooseMechanism and createClientMechanism: the downgrade check (RFC 5802 §6)", () => {
  test("your own order that picks a plain SCRAM while a usable -PLUS was offered: downgrade", async () => {
    await expectSaslError(
      () => chooseMechanism(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], PASSWORD, { encrypted: true, channelBinding: BINDING, mechanisms: ["SCRAM-SHA-256"] }),
      "downgrade",
    );
  });

  test("the same order without binding data, or without -PLUS offered, is fine", () => {
    expect(chooseMechanism(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], PASSWORD, { encrypted: true, mechanisms: ["SCRAM-SHA-256"] })).toBe("SCRAM-SHA-256");
    expect(chooseMechanism(["SCRAM-SHA-256"], PASSWORD, { encrypted: true, channelBinding: BINDING, mechanisms: ["scram-sha-256"] })).toBe("SCRAM-SHA-256");
  });

  test("the check is per hash: the -PLUS of another SCRAM does not count", () => {
    expect(
      chooseMechanism(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"], PASSWORD, { encrypted: true, channelBinding: BINDING, mechanisms: ["SCRAM-SHA-256"] }),
    ).toBe("SCRAM-SHA-256");
  });

  test("createClientMechanism with `offered` applies the same rule", async () => {
    const channel = { encrypted: true, channelBinding: BINDING };
    await expectSaslError(() => createClientMechanism("SCRAM-SHA-1", PASSWORD, channel, { offered: ["scram-sha-1-plus", "SCRAM-SHA-1"] }), "downgrade");
    expect(createClientMechanism("SCRAM-SHA-1", PASSWORD, channel, { offered: ["SCRAM-SHA-1"] }).name).toBe("SCRAM-SHA-1");
    expect(createClientMechanism("SCRAM-SHA-1", PASSWORD, channel, { offered: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1"] }).name).toBe("SCRAM-SHA-1");
  });
});

describe("createClientMechanism: what it refuses before anything is sent", () => {
  test("unknown names and missing credentials: unsupported-mechanism", async () => {
    await expectSaslError(() => createClientMechanism("GSSAPI", PASSWORD, { encrypted: true }), "unsupported-mechanism");
    await expectSaslError(() => createClientMechanism("CRAM-MD5", { username: "u" }, { encrypted: true }), "unsupported-mechanism");
    await expectSaslError(() => createClientMechanism("SCRAM-SHA-1", { password: "p" }, { encrypted: true }), "unsupported-mechanism");
    await expectSaslError(() => createClientMechanism("EXTERNAL", PASSWORD, { encrypted: true }), "unsupported-mechanism");
  });

  test("bad SCRAM limits are a programming error (RangeError)", () => {
    expect(() => createClientMechanism("SCRAM-SHA-1", PASSWORD, { encrypted: true }, { minIterations: 10, maxIterations: 5 })).toThrow(RangeError);
    expect(() => createClientMechanism("SCRAM-SHA-1", PASSWORD, { encrypted: true }, { nonce: () => "a,b" })).toThrow(RangeError);
  });

  test("the name is case-insensitive, the mechanism's name upper-case", () => {
    expect(createClientMechanism("cram-md5", PASSWORD, { encrypted: false }).name).toBe("CRAM-MD5");
  });
});
