import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { createServerMechanism } from "./server.js";
import { bytes, EMPTY, expectSaslError, TLS } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";
import type { ServerVerifiers } from "./verifiers.js";

const verifiers: ServerVerifiers = {
  verifyPassword: async (username, password) => username === "tim" && password.equals("tanstaaftanstaaf"),
};

describe("LOGIN server (draft-murchison-sasl-login)", () => {
  test("prompts Username: then Password:, and ends with the identity", async () => {
    const server = createServerMechanism("LOGIN", verifiers, TLS);
    expect(await server.next(undefined)).toEqual({ done: false, challenge: bytes("Username:") });
    expect(await server.next(bytes("tim"))).toEqual({ done: false, challenge: bytes("Password:") });
    expect(await server.next(bytes("tanstaaftanstaaf"))).toEqual({ done: true, identity: { mechanism: "LOGIN", username: "tim" } });
  });

  test("an initial response is the user name: the first prompt is Password:", async () => {
    const server = createServerMechanism("LOGIN", verifiers, TLS);
    expect(await server.next(bytes("tim"))).toEqual({ done: false, challenge: bytes("Password:") });
    expect((await server.next(bytes("tanstaaftanstaaf"))).done).toBe(true);
  });

  test("wrong password: bad-credentials", async () => {
    const server = createServerMechanism("LOGIN", verifiers, TLS);
    await server.next(bytes("tim"));
    await expectSaslError(server.next(bytes("tanstaaf")), "bad-credentials");
  });

  test("empty or non-UTF-8 user name, empty password, missing response: malformed", async () => {
    await expectSaslError(createServerMechanism("LOGIN", verifiers, TLS).next(EMPTY), "malformed");
    await expectSaslError(createServerMechanism("LOGIN", verifiers, TLS).next(new Uint8Array([0xc0, 0x80])), "malformed");
    const server = createServerMechanism("LOGIN", verifiers, TLS);
    await server.next(bytes("tim"));
    await expectSaslError(server.next(EMPTY), "malformed");
    const again = createServerMechanism("LOGIN", verifiers, TLS);
    await again.next(bytes("tim"));
    await expectSaslError(again.next(undefined), "malformed");
  });

  test("the password may be any bytes; the verifier gets them exactly", async () => {
    const raw = new Uint8Array([0x70, 0xff, 0x00, 0x0a]);
    const server = createServerMechanism(
      "LOGIN",
      { verifyPassword: async (_user, password) => Buffer.from(password.revealBytes()).equals(Buffer.from(raw)) },
      TLS,
    );
    await server.next(bytes("tim"));
    expect((await server.next(raw)).done).toBe(true);
  });
});

describe("LOGIN client", () => {
  test("no initial response; answers the first prompt with the user name, the second with the password, by position", async () => {
    const client = createClientMechanism("LOGIN", { username: "tim", password: "tanstaaftanstaaf" }, TLS);
    expect(await client.start()).toEqual({});
    expect(await client.next(bytes("VXNlciBOYW1lAA=="))).toEqual(bytes("tim"));
    expect(await client.next(bytes("Password\0"))).toEqual(bytes("tanstaaftanstaaf"));
    await expectSaslError(client.next(bytes("Again:")), "malformed");
  });

  test("runs against our server", async () => {
    const client = createClientMechanism("LOGIN", { username: "tim", password: "tanstaaftanstaaf" }, TLS);
    expect(await runExchange(client, createServerMechanism("LOGIN", verifiers, TLS))).toEqual({ mechanism: "LOGIN", username: "tim" });
  });

  test("refuses a clear channel unless allowed", async () => {
    await expectSaslError(() => createClientMechanism("LOGIN", { username: "tim", password: "pw" }, { encrypted: false }), "encryption-required");
  });
});
