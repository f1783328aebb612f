import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { Secret } from "./secret.js";
import { createServerMechanism, serverMechanismNames } from "./server.js";
import { b64, bytes, CLEAR, EMPTY, expectSaslError, text, unb64 } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";
import type { ServerVerifiers } from "./verifiers.js";

const store: ServerVerifiers = {
  lookupPassword: async (username) => (username === "tim" ? new Secret("tanstaaftanstaaf") : undefined),
};
const RFC_SERVER = { nonce: () => "1896.697170952", hostname: "postoffice.reston.mci.net" };

describe("RFC 2195 §2: the example", () => {
  // S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
  // C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
  test("server challenge <1896.697170952@postoffice.reston.mci.net>", async () => {
    const server = createServerMechanism("CRAM-MD5", store, CLEAR, RFC_SERVER);
    const step = await server.next(undefined);
    expect(step.done).toBe(false);
    if (step.done) return;
    expect(text(step.challenge)).toBe("<1896.697170952@postoffice.reston.mci.net>");
    expect(b64(step.challenge)).toBe("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    const done = await server.next(unb64("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"));
    expect(done).toEqual({ done: true, identity: { mechanism: "CRAM-MD5", username: "tim" } });
  });

  test('client response "tim b913a602c7eda7a495b4e6e7334d3890"', async () => {
    const client = createClientMechanism("CRAM-MD5", { username: "tim", password: "tanstaaftanstaaf" }, CLEAR);
    expect(await client.start()).toEqual({});
    const response = await client.next(unb64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"));
    expect(text(response)).toBe("tim b913a602c7eda7a495b4e6e7334d3890");
    expect(b64(response)).toBe("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  });
});

describe("CRAM-MD5 server", () => {
  async function answered(response: string) {
    const server = createServerMechanism("CRAM-MD5", store, CLEAR, RFC_SERVER);
    await server.next(undefined);
    return server.next(bytes(response));
  }

  test("a fresh challenge each time, in msg-id form", async () => {
    const a = await createServerMechanism("CRAM-MD5", store, CLEAR).next(undefined);
    const b = await createServerMechanism("CRAM-MD5", store, CLEAR).next(undefined);
    expect(a.done || text(a.challenge)).toMatch(/^<[0-9]+\.[0-9]+@localhost>$/);
    expect(a.done || b.done || text(a.challenge) !== text(b.challenge)).toBe(true);
  });

  test("wrong digest and unknown user: bad-credentials", async () => {
    await expectSaslError(answered("tim b913a602c7eda7a495b4e6e7334d3891"), "bad-credentials");
    await expectSaslError(answered("bob b913a602c7eda7a495b4e6e7334d3890"), "bad-credentials");
  });

  test("a user name with spaces: the digest is after the last space", async () => {
    const spaced: ServerVerifiers = { lookupPassword: async (u) => (u === "tim smith" ? new Secret("pw") : undefined) };
    const client = createClientMechanism("CRAM-MD5", { username: "tim smith", password: "pw" }, CLEAR);
    expect(await runExchange(client, createServerMechanism("CRAM-MD5", spaced, CLEAR))).toEqual({ mechanism: "CRAM-MD5", username: "tim smith" });
  });

  for (const [what, response] of [
    ["no space", "timb913a602c7eda7a495b4e6e7334d3890"],
    ["upper-case hex (RFC 2195: lowercase)", "tim B913A602C7EDA7A495B4E6E7334D3890"],
    ["short digest", "tim b913a602c7eda7a495b4e6e7334d389"],
    ["empty user name", " b913a602c7eda7a495b4e6e7334d3890"],
    ["empty response", ""],
  ] as const) {
    test(`${what}: malformed`, async () => {
      await expectSaslError(answered(response), "malformed");
    });
  }

  test("an initial response is malformed (RFC 2195 defines none)", async () => {
    await expectSaslError(createServerMechanism("CRAM-MD5", store, CLEAR).next(bytes("tim x")), "malformed");
  });

  test("offered on a clear channel (the password does not cross the wire), only with lookupPassword", () => {
    expect(serverMechanismNames(store, CLEAR)).toContain("CRAM-MD5");
    expect(serverMechanismNames({ verifyPassword: async () => true }, CLEAR)).not.toContain("CRAM-MD5");
  });
});

describe("CRAM-MD5 client", () => {
  test("answers one challenge; an empty one or a second one is malformed", async () => {
    const empty = createClientMechanism("CRAM-MD5", { username: "tim", password: "pw" }, CLEAR);
    await empty.start();
    await expectSaslError(empty.next(EMPTY), "malformed");
    const twice = createClientMechanism("CRAM-MD5", { username: "tim", password: "pw" }, CLEAR);
    await twice.start();
    await twice.next(bytes("<1.2@x>"));
    await expectSaslError(twice.next(bytes("<1.2@x>")), "malformed");
  });
});
