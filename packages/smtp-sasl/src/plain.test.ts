import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { SaslError } from "./errors.js";
import { createServerMechanism } from "./server.js";
import { Secret } from "./secret.js";
import { b64, bytes, CLEAR, EMPTY, expectSaslError, latin1, TLS, unb64 } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";
import type { ServerVerifiers, VerifyContext } from "./verifiers.js";

function passwords(users: Record<string, string>) {
  const calls: { username: string; password: string; context: VerifyContext }[] = [];
  const verifiers: ServerVerifiers = {
    async verifyPassword(username, password, context) {
      calls.push({ username, password: password.reveal(), context });
      return users[username] !== undefined && password.equals(users[username]);
    },
  };
  return { verifiers, calls };
}

describe("RFC 4616 §4: the examples", () => {
  test('first example: authcid "tim", passwd "tanstaaftanstaaf" -> <NUL>tim<NUL>tanstaaftanstaaf', async () => {
    const client = createClientMechanism("PLAIN", { username: "tim", password: "tanstaaftanstaaf" }, TLS);
    const { initialResponse } = await client.start();
    expect(initialResponse).toEqual(latin1("\0tim\0tanstaaftanstaaf"));
    expect(b64(initialResponse as Uint8Array)).toBe("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");

    const { verifiers, calls } = passwords({ tim: "tanstaaftanstaaf" });
    const server = createServerMechanism("PLAIN", verifiers, TLS);
    const step = await server.next(unb64("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
    expect(step).toEqual({ done: true, identity: { mechanism: "PLAIN", username: "tim" } });
    expect(calls).toEqual([{ username: "tim", password: "tanstaaftanstaaf", context: { mechanism: "PLAIN", channel: TLS } }]);
  });

  test('second example: "Ursel<NUL>Kurt<NUL>xipj3plmq" is refused: "Not authorized to requested authorization identity"', async () => {
    const client = createClientMechanism("PLAIN", { username: "Kurt", password: "xipj3plmq", authzid: "Ursel" }, TLS);
    const { initialResponse } = await client.start();
    expect(initialResponse).toEqual(latin1("Ursel\0Kurt\0xipj3plmq"));

    const { verifiers, calls } = passwords({ Kurt: "xipj3plmq" });
    const server = createServerMechanism("PLAIN", verifiers, TLS);
    await expectSaslError(server.next(initialResponse), "not-authorized");
    expect(calls[0]?.context.authzid).toBe("Ursel");
  });

  test("the same request is granted when authorize() allows it", async () => {
    const { verifiers } = passwords({ Kurt: "xipj3plmq" });
    const asked: unknown[] = [];
    const server = createServerMechanism(
      "PLAIN",
      {
        ...verifiers,
        async authorize(identity) {
          asked.push(identity);
          return identity.username === "Kurt" && identity.authzid === "Ursel";
        },
      },
      TLS,
    );
    const step = await server.next(latin1("Ursel\0Kurt\0xipj3plmq"));
    expect(step).toEqual({ done: true, identity: { mechanism: "PLAIN", username: "Kurt", authzid: "Ursel" } });
    expect(asked).toEqual([{ mechanism: "PLAIN", username: "Kurt", authzid: "Ursel" }]);
  });

  test('RFC 4954 §4 example "AHRlc3QAdEVzVGlOZw==" is <NUL>test<NUL>tEsTiNg', async () => {
    const { verifiers } = passwords({ test: "tEsTiNg" });
    const step = await createServerMechanism("PLAIN", verifiers, TLS).next(unb64("AHRlc3QAdEVzVGlOZw=="));
    expect(step.done && step.identity.username).toBe("test");
  });
});

describe("PLAIN server", () => {
  const { verifiers } = passwords({ tim: "tanstaaftanstaaf" });

  test("without an initial response it asks with an empty challenge", async () => {
    const server = createServerMechanism("PLAIN", verifiers, TLS);
    expect(await server.next(undefined)).toEqual({ done: false, challenge: EMPTY });
    const step = await server.next(latin1("\0tim\0tanstaaftanstaaf"));
    expect(step.done).toBe(true);
  });

  test("an authzid equal to the user name needs no authorize() and is dropped", async () => {
    const step = await createServerMechanism("PLAIN", verifiers, TLS).next(latin1("tim\0tim\0tanstaaftanstaaf"));
    expect(step).toEqual({ done: true, identity: { mechanism: "PLAIN", username: "tim" } });
  });

  test("wrong password and unknown user: bad-credentials (535 5.7.8)", async () => {
    await expectSaslError(createServerMechanism("PLAIN", verifiers, TLS).next(latin1("\0tim\0wrong")), "bad-credentials");
    await expectSaslError(createServerMechanism("PLAIN", verifiers, TLS).next(latin1("\0bob\0tanstaaftanstaaf")), "bad-credentials");
  });

  const malformed: [string, Uint8Array][] = [
    ["no NUL", latin1("timtanstaaf")],
    ["one NUL", latin1("tim\0tanstaaf")],
    ["three NULs", latin1("\0tim\0tan\0staaf")],
    ["empty authcid", latin1("\0\0tanstaaf")],
    ["empty password", latin1("\0tim\0")],
    ["empty message (AUTH PLAIN =)", EMPTY],
    ["invalid UTF-8 in authcid", new Uint8Array([0, 0xff, 0xfe, 0, 0x61])],
    ["invalid UTF-8 in password", new Uint8Array([0, 0x61, 0, 0xc3])],
  ];
  for (const [what, message] of malformed) {
    test(`${what}: malformed (501 5.5.2)`, async () => {
      await expectSaslError(createServerMechanism("PLAIN", verifiers, TLS).next(message), "malformed");
    });
  }

  test("a second empty step is malformed, and nothing runs after the end", async () => {
    const server = createServerMechanism("PLAIN", verifiers, TLS);
    await server.next(undefined);
    await expectSaslError(server.next(undefined), "malformed");
    await expectSaslError(server.next(latin1("\0tim\0tanstaaftanstaaf")), "malformed");
  });

  test("lookupPassword is used when there is no verifyPassword", async () => {
    const store: ServerVerifiers = { lookupPassword: async (u) => (u === "tim" ? new Secret("tanstaaftanstaaf") : undefined) };
    expect((await createServerMechanism("PLAIN", store, TLS).next(latin1("\0tim\0tanstaaftanstaaf"))).done).toBe(true);
    await expectSaslError(createServerMechanism("PLAIN", store, TLS).next(latin1("\0tim\0tanstaaftanstaaX")), "bad-credentials");
    await expectSaslError(createServerMechanism("PLAIN", store, TLS).next(latin1("\0bob\0")), "malformed");
    await expectSaslError(createServerMechanism("PLAIN", store, TLS).next(latin1("\0bob\0x")), "bad-credentials");
  });

  test("an empty name from verifyPassword is a refusal", async () => {
    await expectSaslError(createServerMechanism("PLAIN", { verifyPassword: async () => ({ username: "" }) }, TLS).next(latin1("\0a\0b")), "bad-credentials");
  });

  test("{ username } from verifyPassword renames the user", async () => {
    const server = createServerMechanism("PLAIN", { verifyPassword: async () => ({ username: "tim@example.org" }) }, TLS);
    const step = await server.next(latin1("\0TIM\0pw"));
    expect(step.done && step.identity.username).toBe("tim@example.org");
  });

  test("a verifier that throws gives temporary (454 4.7.0) with the cause; a SaslError it throws passes through", async () => {
    const down = new Error("user store down");
    const e = await expectSaslError(
      createServerMechanism("PLAIN", { verifyPassword: () => Promise.reject(down) }, TLS).next(latin1("\0a\0b")),
      "temporary",
    );
    expect(e.cause).toBe(down);
    await expectSaslError(
      createServerMechanism("PLAIN", { verifyPassword: () => Promise.reject(new SaslError("too-weak")) }, TLS).next(latin1("\0a\0b")),
      "too-weak",
    );
  });

  test("not offered on a clear channel unless allowed: encryption-required (538 5.7.11)", async () => {
    await expectSaslError(() => createServerMechanism("PLAIN", verifiers, CLEAR), "encryption-required");
    expect(createServerMechanism("PLAIN", verifiers, CLEAR, { allowPlaintext: true }).name).toBe("PLAIN");
  });
});

describe("PLAIN client", () => {
  test("answers one empty challenge when the initial response was not sent, then nothing", async () => {
    const client = createClientMechanism("PLAIN", { username: "tim", password: "pw" }, TLS);
    await client.start();
    expect(await client.next(EMPTY)).toEqual(latin1("\0tim\0pw"));
    await expectSaslError(client.next(EMPTY), "malformed");
  });

  test("a non-empty challenge is malformed", async () => {
    const client = createClientMechanism("PLAIN", { username: "tim", password: "pw" }, TLS);
    await client.start();
    await expectSaslError(client.next(bytes("hello")), "malformed");
  });

  test("a NUL in user name, password or authzid cannot be carried: unrepresentable", async () => {
    for (const credentials of [
      { username: "t\0m", password: "pw" },
      { username: "tim", password: "p\0w" },
      { username: "tim", password: "pw", authzid: "a\0b" },
      { username: "t\uD800m", password: "pw" },
    ]) {
      await expectSaslError(() => createClientMechanism("PLAIN", credentials, TLS), "unrepresentable");
    }
  });

  test("missing or empty user name or password: unsupported-mechanism", async () => {
    for (const credentials of [{ password: "pw" }, { username: "tim" }, { username: "", password: "pw" }, { username: "tim", password: "" }]) {
      await expectSaslError(() => createClientMechanism("PLAIN", credentials, TLS), "unsupported-mechanism");
    }
  });

  test("refuses a clear channel unless allowed", async () => {
    await expectSaslError(() => createClientMechanism("PLAIN", { username: "tim", password: "pw" }, CLEAR), "encryption-required");
    expect(createClientMechanism("PLAIN", { username: "tim", password: "pw" }, CLEAR, { allowPlaintext: true }).name).toBe("PLAIN");
  });

  test("client and server agree, with and without the initial response", async () => {
    const { verifiers } = passwords({ "jörg": "pässwörd" });
    for (const initialResponse of [true, false]) {
      const client = createClientMechanism("plain", { username: "jörg", password: "pässwörd" }, TLS);
      const identity = await runExchange(client, createServerMechanism("plain", verifiers, TLS), { initialResponse });
      expect(identity).toEqual({ mechanism: "PLAIN", username: "jörg" });
    }
  });
});
