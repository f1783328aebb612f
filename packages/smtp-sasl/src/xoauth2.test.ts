import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { createServerMechanism } from "./server.js";
import { b64, bytes, EMPTY, expectSaslError, finish, latin1, testMalformed, text, TLS, tokenVerifiers, unb64 } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";

const GOOGLE_USER = "someuser@example.com";
const GOOGLE_TOKEN = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
const GOOGLE_IR = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";

const tokens = (valid: Record<string, string>) => tokenVerifiers(valid, { status: "401", schemes: "bearer", scope: "https://mail.google.com/" });

describe("XOAUTH2: the example of Google's XOAUTH2 protocol documentation", () => {
  test("user=someuser@example.com^Aauth=Bearer ya29...^A^A", async () => {
    const client = createClientMechanism("XOAUTH2", { username: GOOGLE_USER, token: GOOGLE_TOKEN }, TLS);
    const { initialResponse } = await client.start();
    expect(text(initialResponse as Uint8Array)).toBe(`user=${GOOGLE_USER}\x01auth=Bearer ${GOOGLE_TOKEN}\x01\x01`);
    expect(b64(initialResponse as Uint8Array)).toBe(GOOGLE_IR);

    const { verifiers, calls } = tokens({ [GOOGLE_USER]: GOOGLE_TOKEN });
    const step = await createServerMechanism("XOAUTH2", verifiers, TLS).next(unb64(GOOGLE_IR));
    expect(step).toEqual({ done: true, identity: { mechanism: "XOAUTH2", username: GOOGLE_USER } });
    expect(calls).toEqual([{ username: GOOGLE_USER, token: GOOGLE_TOKEN, context: { mechanism: "XOAUTH2", channel: TLS } }]);
  });
});

describe("XOAUTH2 error flow: JSON challenge, the client's empty reply, then failure", () => {
  test("server and client", async () => {
    const { verifiers } = tokens({ [GOOGLE_USER]: GOOGLE_TOKEN });
    const server = createServerMechanism("XOAUTH2", verifiers, TLS);
    const client = createClientMechanism("XOAUTH2", { username: GOOGLE_USER, token: "ya29.expired" }, TLS);
    const { initialResponse } = await client.start();
    const step = await server.next(initialResponse);
    expect(step.done).toBe(false);
    if (step.done) return;
    expect(JSON.parse(text(step.challenge))).toEqual({ status: "401", schemes: "bearer", scope: "https://mail.google.com/" });

    expect(client.failure).toBeUndefined();
    expect(await client.next(step.challenge)).toEqual(EMPTY);
    expect(client.failure?.code).toBe("bad-credentials");
    expect(client.failure?.oauth).toEqual({ status: "401", schemes: "bearer", scope: "https://mail.google.com/" });

    const e = await expectSaslError(server.next(EMPTY), "bad-credentials");
    expect(e.oauth?.status).toBe("401");
    // A 235 from a server after its own error challenge is not a success.
    expect(await expectSaslError(finish(client), "bad-credentials")).toBe(client.failure);
  });

  test('a plain false from verifyToken sends {"status":"invalid_token"}', async () => {
    const server = createServerMechanism("XOAUTH2", { verifyToken: async () => false }, TLS);
    const step = await server.next(latin1("user=a\x01auth=Bearer t\x01\x01"));
    expect(step.done || text(step.challenge)).toBe('{"status":"invalid_token"}');
  });

  test("a junk challenge still gets the empty reply; the failure has no OAuth detail", async () => {
    const client = createClientMechanism("XOAUTH2", { username: "a", token: "t" }, TLS);
    await client.start();
    expect(await client.next(bytes("not json"))).toEqual(EMPTY);
    expect(client.failure?.code).toBe("bad-credentials");
    expect(client.failure?.oauth).toBeUndefined();
    await expectSaslError(client.next(bytes("{}")), "malformed");
  });

  test("server-controlled text in the error is cut to printable ASCII", async () => {
    const client = createClientMechanism("XOAUTH2", { username: "a", token: "t" }, TLS);
    await client.start();
    await client.next(bytes(JSON.stringify({ status: "400\r\nInjected: yes", scope: "x".repeat(2000) })));
    expect(client.failure?.oauth?.status).toBe("400??Injected: yes");
    expect(client.failure?.oauth?.scope?.length).toBeLessThan(600);
  });
});

describe("XOAUTH2 server: malformed messages", () => {
  const { verifiers } = tokens({ a: "t" });
  testMalformed("XOAUTH2", verifiers, [
    ["no ^A^A at the end", "user=a\x01auth=Bearer t\x01"],
    ["no auth", "user=a\x01\x01"],
    ["auth before user", "auth=Bearer t\x01user=a\x01\x01"],
    ["an extra field", "user=a\x01auth=Bearer t\x01x=y\x01\x01"],
    ["Basic instead of Bearer", "user=a\x01auth=Basic dDp0\x01\x01"],
    ["empty user", "user=\x01auth=Bearer t\x01\x01"],
    ["token with a space", "user=a\x01auth=Bearer t t\x01\x01"],
  ]);

  test('"bearer" is case-insensitive (RFC 6750 scheme names)', async () => {
    const step = await createServerMechanism("XOAUTH2", verifiers, TLS).next(latin1("user=a\x01auth=bearer t\x01\x01"));
    expect(step.done).toBe(true);
  });
});

describe("XOAUTH2 client", () => {
  test("refuses what the format cannot carry", async () => {
    await expectSaslError(() => createClientMechanism("XOAUTH2", { username: "a\x01b", token: "t" }, TLS), "unrepresentable");
    await expectSaslError(() => createClientMechanism("XOAUTH2", { username: "a", token: "t t" }, TLS), "unrepresentable");
    await expectSaslError(() => createClientMechanism("XOAUTH2", { username: "a" }, TLS), "unsupported-mechanism");
    await expectSaslError(() => createClientMechanism("XOAUTH2", { token: "t" }, TLS), "unsupported-mechanism");
    await expectSaslError(() => createClientMechanism("XOAUTH2", { username: "a", token: "t" }, { encrypted: false }), "encryption-required");
  });

  test("sends the message when the server asks with an empty challenge (no initial response)", async () => {
    const { verifiers } = tokens({ a: "t" });
    const client = createClientMechanism("XOAUTH2", { username: "a", token: "t" }, TLS);
    expect(await runExchange(client, createServerMechanism("XOAUTH2", verifiers, TLS), { initialResponse: false })).toEqual({
      mechanism: "XOAUTH2",
      username: "a",
    });
  });
});
