import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { SaslError } from "./errors.js";
import { CLIENT_MECHANISM_ORDER } from "./negotiate.js";
import { Secret } from "./secret.js";
import { createServerMechanism, serverMechanismNames } from "./server.js";
import { bytes, CLEAR, EMPTY, expectSaslError, finish, latin1, TLS } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";
import type { ChannelInfo } from "./types.js";
import type { ServerVerifiers } from "./verifiers.js";

const verifyPassword: NonNullable<ServerVerifiers["verifyPassword"]> = async (u, p) => u === "user" && p.equals("pencil");
const verifyToken: NonNullable<ServerVerifiers["verifyToken"]> = async (u, t) => u === "user" && t.equals("token");
const lookupScramCredentials: NonNullable<ServerVerifiers["lookupScramCredentials"]> = async () => undefined;
const verifyExternal: NonNullable<ServerVerifiers["verifyExternal"]> = async (certificate) =>
  certificate.subject === "CN=user" ? { username: "user" } : undefined;
const EVERYTHING: ServerVerifiers = {
  verifyPassword,
  lookupPassword: async (u) => (u === "user" ? new Secret("pencil") : undefined),
  lookupScramCredentials,
  verifyToken,
  verifyExternal,
};
const WITH_CERT: ChannelInfo = { encrypted: true, clientCertificate: { subject: "CN=user", fingerprint256: "AA:BB" } };
const ALL_OF_IT: ChannelInfo = { ...WITH_CERT, channelBinding: { "tls-exporter": new Uint8Array(32) } };

describe("serverMechanismNames: what to advertise in EHLO", () => {
  test("everything on TLS with binding data and a client certificate, strongest first", () => {
    expect(serverMechanismNames(EVERYTHING, ALL_OF_IT)).toEqual(["EXTERNAL", ...CLIENT_MECHANISM_ORDER]);
  });

  test("a clear channel: no plaintext mechanisms, no -PLUS, no EXTERNAL", () => {
    expect(serverMechanismNames(EVERYTHING, CLEAR)).toEqual(["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"]);
    expect(serverMechanismNames(EVERYTHING, CLEAR, { allowPlaintext: true })).toEqual(CLIENT_MECHANISM_ORDER.filter((m) => !m.endsWith("-PLUS")));
  });

  test("only what the verifiers can serve", () => {
    expect(serverMechanismNames({}, ALL_OF_IT)).toEqual([]);
    expect(serverMechanismNames({ verifyPassword: verifyPassword }, TLS)).toEqual(["PLAIN", "LOGIN"]);
    expect(serverMechanismNames({ verifyToken: verifyToken }, TLS)).toEqual(["OAUTHBEARER", "XOAUTH2"]);
    expect(serverMechanismNames({ lookupScramCredentials: lookupScramCredentials }, TLS)).toEqual(["SCRAM-SHA-256", "SCRAM-SHA-1"]);
    expect(serverMechanismNames({ verifyExternal: verifyExternal }, TLS)).toEqual([]);
  });

  test("options.mechanisms chooses and orders, case-insensitive; unknown names are dropped", () => {
    expect(serverMechanismNames(EVERYTHING, TLS, { mechanisms: ["login", "PLAIN", "GSSAPI", "scram-sha-256", "PLAIN"] })).toEqual([
      "LOGIN",
      "PLAIN",
      "SCRAM-SHA-256",
    ]);
  });
});

describe("createServerMechanism: what it refuses", () => {
  test("unknown or not offered: unsupported-mechanism (504 5.5.4)", async () => {
    await expectSaslError(() => createServerMechanism("GSSAPI", EVERYTHING, TLS), "unsupported-mechanism");
    await expectSaslError(() => createServerMechanism("PLAIN", EVERYTHING, TLS, { mechanisms: ["LOGIN"] }), "unsupported-mechanism");
  });

  test("not usable with these verifiers or this channel: unsupported-mechanism", async () => {
    await expectSaslError(() => createServerMechanism("SCRAM-SHA-256-PLUS", EVERYTHING, TLS), "unsupported-mechanism");
    await expectSaslError(() => createServerMechanism("EXTERNAL", EVERYTHING, TLS), "unsupported-mechanism");
    await expectSaslError(() => createServerMechanism("CRAM-MD5", { verifyPassword: verifyPassword }, TLS), "unsupported-mechanism");
    await expectSaslError(() => createServerMechanism("XOAUTH2", { verifyPassword: verifyPassword }, TLS), "unsupported-mechanism");
  });

  test("a plaintext mechanism on a clear channel: encryption-required (538 5.7.11)", async () => {
    for (const name of ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"]) {
      const e = await expectSaslError(() => createServerMechanism(name, EVERYTHING, CLEAR), "encryption-required");
      expect(e.reply.code).toBe(538);
    }
  });

  test("names are case-insensitive; the mechanism's name is upper-case", () => {
    expect(createServerMechanism("scram-sha-1", EVERYTHING, TLS).name).toBe("SCRAM-SHA-1");
  });

  test("bad options are a programming error (RangeError)", () => {
    expect(() => createServerMechanism("PLAIN", EVERYTHING, TLS, { maxResponseLength: 0 })).toThrow(RangeError);
    expect(() => createServerMechanism("PLAIN", EVERYTHING, TLS, { scramIterations: 1.5 })).toThrow(RangeError);
  });
});

describe("server exchange life cycle", () => {
  test("a response over maxResponseLength: too-long (500 5.5.6), and the exchange is over", async () => {
    const server = createServerMechanism("PLAIN", EVERYTHING, TLS, { maxResponseLength: 16 });
    await expectSaslError(server.next(new Uint8Array(17)), "too-long");
    await expectSaslError(server.next(latin1("\0user\0pencil")), "malformed");
    expect((await createServerMechanism("PLAIN", EVERYTHING, TLS, { maxResponseLength: 12 }).next(latin1("\0user\0pencil"))).done).toBe(true);
  });

  test("the default limit is 12288 octets", async () => {
    await expectSaslError(createServerMechanism("PLAIN", EVERYTHING, TLS).next(new Uint8Array(12289)), "too-long");
    await expectSaslError(createServerMechanism("PLAIN", EVERYTHING, TLS).next(new Uint8Array(12288)), "malformed");
  });

  test("a second step while the first runs is malformed", async () => {
    let release: () => void = () => undefined;
    const slow: ServerVerifiers = { verifyPassword: () => new Promise((resolve) => (release = () => resolve(true))) };
    const server = createServerMechanism("PLAIN", slow, TLS);
    const first = server.next(latin1("\0user\0pencil"));
    await expectSaslError(server.next(latin1("\0user\0pencil")), "malformed");
    release();
    expect((await first).done).toBe(true);
  });

  test("nothing after the end or after a failure", async () => {
    const done = createServerMechanism("PLAIN", EVERYTHING, TLS);
    await done.next(latin1("\0user\0pencil"));
    await expectSaslError(done.next(EMPTY), "malformed");
    const failed = createServerMechanism("PLAIN", EVERYTHING, TLS);
    await expectSaslError(failed.next(latin1("\0user\0wrong")), "bad-credentials");
    await expectSaslError(failed.next(latin1("\0user\0pencil")), "malformed");
  });

  test("a response that is not bytes is malformed", async () => {
    await expectSaslError(createServerMechanism("PLAIN", EVERYTHING, TLS).next("\0user\0pencil" as unknown as Uint8Array), "malformed");
  });
});

describe("EXTERNAL (RFC 4422 Appendix A)", () => {
  test("the certificate names the user; an empty authzid acts as that user", async () => {
    const server = createServerMechanism("EXTERNAL", EVERYTHING, WITH_CERT);
    expect(await server.next(EMPTY)).toEqual({ done: true, identity: { mechanism: "EXTERNAL", username: "user" } });
  });

  test("without an initial response it asks with an empty challenge", async () => {
    const client = createClientMechanism("EXTERNAL", { external: true }, WITH_CERT);
    expect(await runExchange(client, createServerMechanism("EXTERNAL", EVERYTHING, WITH_CERT), { initialResponse: false })).toEqual({
      mechanism: "EXTERNAL",
      username: "user",
    });
  });

  test("an authzid: the verifier sees it, authorize() decides", async () => {
    const seen: unknown[] = [];
    const verifiers: ServerVerifiers = {
      verifyExternal: async (certificate, context) => {
        seen.push([certificate, context.authzid]);
        return { username: "user" };
      },
    };
    await expectSaslError(createServerMechanism("EXTERNAL", verifiers, WITH_CERT).next(bytes("postmaster")), "not-authorized");
    expect(seen).toEqual([[WITH_CERT.clientCertificate, "postmaster"]]);
    const granted = createServerMechanism("EXTERNAL", { ...verifiers, authorize: async (id) => id.authzid === "postmaster" }, WITH_CERT);
    expect(await granted.next(bytes("postmaster"))).toEqual({ done: true, identity: { mechanism: "EXTERNAL", username: "user", authzid: "postmaster" } });
    const client = createClientMechanism("EXTERNAL", { external: true, authzid: "postmaster" }, WITH_CERT);
    expect(await client.start()).toEqual({ initialResponse: bytes("postmaster") });
  });

  test("an unknown certificate is bad-credentials; a NUL or bad UTF-8 is malformed", async () => {
    const stranger: ChannelInfo = { encrypted: true, clientCertificate: { subject: "CN=stranger" } };
    await expectSaslError(createServerMechanism("EXTERNAL", EVERYTHING, stranger).next(EMPTY), "bad-credentials");
    await expectSaslError(createServerMechanism("EXTERNAL", EVERYTHING, WITH_CERT).next(latin1("a\0b")), "malformed");
    await expectSaslError(createServerMechanism("EXTERNAL", EVERYTHING, WITH_CERT).next(new Uint8Array([0xff])), "malformed");
  });

  test("a verifier that throws gives temporary; one that throws SaslError('too-weak') passes it on", async () => {
    await expectSaslError(createServerMechanism("EXTERNAL", { verifyExternal: () => Promise.reject(new Error("x")) }, WITH_CERT).next(EMPTY), "temporary");
    await expectSaslError(
      createServerMechanism("EXTERNAL", { verifyExternal: () => Promise.reject(new SaslError("too-weak")) }, WITH_CERT).next(EMPTY),
      "too-weak",
    );
  });

  test("the client answers one empty challenge, nothing else", async () => {
    const client = createClientMechanism("EXTERNAL", { external: true }, WITH_CERT);
    await client.start();
    expect(await client.next(EMPTY)).toEqual(EMPTY);
    await expectSaslError(client.next(EMPTY), "malformed");
  });
});

describe("the client exchange life cycle", () => {
  test("next before start, start twice, a challenge that is not bytes", async () => {
    const client = createClientMechanism("CRAM-MD5", { username: "u", password: "p" }, CLEAR);
    await expectSaslError(client.next(bytes("<1@x>")), "malformed");
    await client.start();
    await expectSaslError(client.start(), "malformed");
    await expectSaslError(client.next("x" as unknown as Uint8Array), "malformed");
  });

  test("a challenge over 12288 octets is too-long, and the exchange is over", async () => {
    const client = createClientMechanism("SCRAM-SHA-256", { username: "u", password: "p" }, TLS);
    await client.start();
    await expectSaslError(client.next(new Uint8Array(12289)), "too-long");
    await expectSaslError(client.next(bytes("r=x")), "malformed");
  });

  test("finish() with unexpected success data on a mechanism that has none is malformed", async () => {
    const client = createClientMechanism("PLAIN", { username: "u", password: "p" }, TLS);
    await client.start();
    await expectSaslError(finish(client, bytes("x")), "malformed");
  });
});
