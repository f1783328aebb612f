import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { createServerMechanism } from "./server.js";
import { b64, bytes, EMPTY, expectSaslError, latin1, testMalformed, text, TLS, tokenVerifiers, unb64 } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";

// RFC 7628 §4.1 and §4.3 (wrapped lines joined).
const RFC_IR =
  "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const RFC_TOKEN = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
const RFC_ERROR_CHALLENGE =
  "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

const tokens = (valid: Record<string, string>) =>
  tokenVerifiers(valid, { status: "invalid_token", scope: "example_scope", openidConfiguration: "https://example.com/.well-known/openid-configuration" });

describe("RFC 7628 §4.1: Successful Bearer Token Exchange", () => {
  test("client initial response n,a=user@example.com,^Ahost=server.example.com^Aport=143^Aauth=Bearer ...^A^A", async () => {
    const client = createClientMechanism(
      "OAUTHBEARER",
      { username: "user@example.com", token: RFC_TOKEN, host: "server.example.com", port: 143 },
      TLS,
    );
    const { initialResponse } = await client.start();
    expect(text(initialResponse as Uint8Array)).toBe(
      `n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer ${RFC_TOKEN}\x01\x01`,
    );
    expect(b64(initialResponse as Uint8Array)).toBe(RFC_IR);
  });

  test("server accepts it; the verifier sees user, token, host and port", async () => {
    const { verifiers, calls } = tokens({ "user@example.com": RFC_TOKEN });
    const step = await createServerMechanism("OAUTHBEARER", verifiers, TLS).next(unb64(RFC_IR));
    expect(step).toEqual({ done: true, identity: { mechanism: "OAUTHBEARER", username: "user@example.com" } });
    expect(calls).toEqual([
      { username: "user@example.com", token: RFC_TOKEN, context: { mechanism: "OAUTHBEARER", channel: TLS, host: "server.example.com", port: 143 } },
    ]);
  });
});

describe("RFC 7628 §4.3: Failed Exchange (error challenge, client answers %x01)", () => {
  test("server error challenge is the RFC's JSON, byte for byte; then %x01 ends in failure", async () => {
    const { verifiers } = tokens({});
    const server = createServerMechanism("OAUTHBEARER", verifiers, TLS);
    const step = await server.next(unb64(RFC_IR));
    expect(step.done).toBe(false);
    if (step.done) return;
    expect(b64(step.challenge)).toBe(RFC_ERROR_CHALLENGE);
    const e = await expectSaslError(server.next(unb64("AQ==")), "bad-credentials");
    expect(e.oauth).toEqual({
      status: "invalid_token",
      scope: "example_scope",
      openidConfiguration: "https://example.com/.well-known/openid-configuration",
    });
  });

  test('client answers the error challenge with "AQ==" (%x01) and records the error', async () => {
    const client = createClientMechanism("OAUTHBEARER", { username: "user@example.com", token: RFC_TOKEN }, TLS);
    await client.start();
    const answer = await client.next(unb64(RFC_ERROR_CHALLENGE));
    expect(b64(answer)).toBe("AQ==");
    expect(client.failure?.code).toBe("bad-credentials");
    expect(client.failure?.oauth).toEqual({
      status: "invalid_token",
      scope: "example_scope",
      openidConfiguration: "https://example.com/.well-known/openid-configuration",
    });
  });

  test("an answer other than %x01 to the error challenge is malformed", async () => {
    const server = createServerMechanism("OAUTHBEARER", tokens({}).verifiers, TLS);
    await server.next(unb64(RFC_IR));
    await expectSaslError(server.next(EMPTY), "malformed");
  });
});

describe("OAUTHBEARER server: malformed messages", () => {
  const { verifiers } = tokens({ u: "t" });
  testMalformed("OAUTHBEARER", verifiers, [
    ["p= channel binding", "p=tls-exporter,a=u,\x01auth=Bearer t\x01\x01"],
    ["no kvsep after the gs2 header", "n,a=u,auth=Bearer t\x01\x01"],
    ["no final kvsep", "n,a=u,\x01auth=Bearer t\x01"],
    ["no auth", "n,a=u,\x01host=x\x01\x01"],
    ["auth twice", "n,a=u,\x01auth=Bearer t\x01auth=Bearer t\x01\x01"],
    ["a key with a digit", "n,a=u,\x01k9=v\x01auth=Bearer t\x01\x01"],
    ["a pair without =", "n,a=u,\x01junk\x01auth=Bearer t\x01\x01"],
    ["a port that is not a port", "n,a=u,\x01port=99999\x01auth=Bearer t\x01\x01"],
    ["bad gs2 flag", "x,a=u,\x01auth=Bearer t\x01\x01"],
    ["bad saslname escape", "n,a=u=2X,\x01auth=Bearer t\x01\x01"],
    ["the lone %x01 as first message", "\x01"],
    ["a control character in a value", "n,a=u,\x01host=a\x00b\x01auth=Bearer t\x01\x01"],
  ]);

  test("unknown keys are ignored; 'y' is accepted (no channel binding in this mechanism)", async () => {
    const step = await createServerMechanism("OAUTHBEARER", verifiers, TLS).next(latin1("y,a=u,\x01mac=x\x01auth=Bearer t\x01\x01"));
    expect(step.done).toBe(true);
  });

  test("escaped , and = in a= are unescaped", async () => {
    const { verifiers: v, calls } = tokens({ "a,b=c": "t" });
    const step = await createServerMechanism("OAUTHBEARER", v, TLS).next(latin1("n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01"));
    expect(step.done && step.identity.username).toBe("a,b=c");
    expect(calls[0]?.username).toBe("a,b=c");
  });

  test("without a=, the verifier must name the user", async () => {
    const named = createServerMechanism("OAUTHBEARER", { verifyToken: async (u) => ({ username: u === "" ? "from-token" : u }) }, TLS);
    const step = await named.next(latin1("n,,\x01auth=Bearer t\x01\x01"));
    expect(step.done && step.identity.username).toBe("from-token");
    const anonymous = createServerMechanism("OAUTHBEARER", { verifyToken: async () => true }, TLS);
    const refused = await anonymous.next(latin1("n,,\x01auth=Bearer t\x01\x01"));
    expect(refused.done).toBe(false);
  });
});

describe("OAUTHBEARER client", () => {
  test("runs against our server, with and without the initial response", async () => {
    const { verifiers } = tokens({ "ü,=": "abc.DEF-123_~+/=" });
    for (const initialResponse of [true, false]) {
      const client = createClientMechanism("OAUTHBEARER", { username: "ü,=", token: "abc.DEF-123_~+/=" }, TLS);
      expect(await runExchange(client, createServerMechanism("OAUTHBEARER", verifiers, TLS), { initialResponse })).toEqual({
        mechanism: "OAUTHBEARER",
        username: "ü,=",
      });
    }
  });

  test("refuses what the format cannot carry", async () => {
    await expectSaslError(() => createClientMechanism("OAUTHBEARER", { username: "a\0b", token: "t" }, TLS), "unrepresentable");
    await expectSaslError(() => createClientMechanism("OAUTHBEARER", { token: "t\x01" }, TLS), "unrepresentable");
    await expectSaslError(() => createClientMechanism("OAUTHBEARER", { token: "t", port: 70000 }, TLS), "unrepresentable");
    await expectSaslError(() => createClientMechanism("OAUTHBEARER", { token: "t", host: "a\x01b" }, TLS), "unrepresentable");
    await expectSaslError(() => createClientMechanism("OAUTHBEARER", { username: "u" }, TLS), "unsupported-mechanism");
  });

  test("a second error challenge is malformed", async () => {
    const client = createClientMechanism("OAUTHBEARER", { token: "t" }, TLS);
    await client.start();
    await client.next(bytes('{"status":"invalid_token"}'));
    await expectSaslError(client.next(bytes('{"status":"invalid_token"}')), "malformed");
  });
});
