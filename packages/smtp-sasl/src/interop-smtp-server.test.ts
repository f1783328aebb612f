/**
 * Interop: our CLIENT mechanisms against an implementation that is not ours — Nodemailer's
 * smtp-server 3.21.6 — over a loopback socket, through the test-only transport in
 * test-support/smtp-client-transport.ts.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerAuthentication } from "smtp-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import type { ClientCredentials } from "./credentials.js";
import { authenticateOverSmtp } from "./test-support/smtp-client-transport.js";
import { text } from "./test-support/helpers.js";
import type { ClientMechanism } from "./types.js";

const USER = "jörg@example.org";
const PASSWORD = "pässwörd-1";
const TOKEN = "ya29.a0AfH6SMBx-token_value~+/=";

let server: SMTPServer;
let port: number;
const seen: SMTPServerAuthentication[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authMethods: ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"],
    disableReverseLookup: true,
    // Loopback without TLS: smtp-server refuses AUTH before STARTTLS unless told otherwise.
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      seen.push(auth);
      const ok =
        auth.method === "XOAUTH2"
          ? auth.username === USER && auth.accessToken === TOKEN
          : auth.method === "CRAM-MD5"
            ? auth.username === USER && auth.validatePassword?.(PASSWORD) === true
            : auth.username === USER && auth.password === PASSWORD;
      if (ok) return callback(null, { user: auth.username });
      if (auth.method === "XOAUTH2") {
        return callback(null, { data: { status: "401", schemes: "bearer", scope: "https://mail.example.org/" } });
      }
      return callback(new Error("Invalid username or password"));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function login(name: string, credentials: ClientCredentials, initialResponse = true) {
  let mechanism: ClientMechanism | undefined;
  const run = authenticateOverSmtp(
    port,
    (offered) => {
      expect(offered).toContain(name);
      mechanism = createClientMechanism(name, credentials, { encrypted: false }, { allowPlaintext: true });
      return mechanism;
    },
    { initialResponse, timeoutMs: 5000 },
  );
  return run.then((outcome) => ({ ...outcome, mechanism: mechanism as ClientMechanism }));
}

describe("our clients against smtp-server", () => {
  for (const initialResponse of [true, false]) {
    const how = initialResponse ? "with the initial response" : "without it (empty 334 first)";

    test(`PLAIN ${how}: 235, and smtp-server read the same user and password`, async () => {
      seen.length = 0;
      const { reply } = await login("PLAIN", { username: USER, password: PASSWORD }, initialResponse);
      expect(reply.code).toBe(235);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: "PLAIN", username: USER, authcid: USER, authzid: "", password: PASSWORD });
    });

    test(`XOAUTH2 ${how}: 235, and smtp-server read the same user and token`, async () => {
      seen.length = 0;
      const { reply } = await login("XOAUTH2", { username: USER, token: TOKEN }, initialResponse);
      expect(reply.code).toBe(235);
      expect(seen[0]).toMatchObject({ method: "XOAUTH2", username: USER, accessToken: TOKEN });
    });
  }

  test("PLAIN with an authorization identity: smtp-server sees authzid and authcid apart", async () => {
    seen.length = 0;
    const { reply } = await login("PLAIN", { username: USER, password: PASSWORD, authzid: "shared@example.org" });
    expect(reply.code).toBe(235);
    expect(seen[0]).toMatchObject({ username: USER, authcid: USER, authzid: "shared@example.org" });
  });

  test("LOGIN: answers Username: and Password: prompts; 235", async () => {
    seen.length = 0;
    const { reply, challenges } = await login("LOGIN", { username: USER, password: PASSWORD });
    expect(reply.code).toBe(235);
    expect(challenges.map(text)).toEqual(["Username:", "Password:"]);
    expect(seen[0]).toMatchObject({ method: "LOGIN", username: USER, password: PASSWORD });
  });

  test("CRAM-MD5: smtp-server's challenge answered, its validatePassword() accepts the digest; 235", async () => {
    const { reply, challenges } = await login("CRAM-MD5", { username: USER, password: PASSWORD });
    expect(reply.code).toBe(235);
    expect(text(challenges[0] as Uint8Array)).toMatch(/^<[0-9a-f]+\.[0-9]+@.+>$/);
  });

  for (const name of ["PLAIN", "LOGIN", "CRAM-MD5"]) {
    test(`${name} with the wrong password: 535`, async () => {
      const { reply } = await login(name, { username: USER, password: `${PASSWORD}x` });
      expect(reply.code).toBe(535);
    });
  }

  test("XOAUTH2 with a refused token: the JSON challenge, our empty reply, then 535; the error is recorded", async () => {
    const { reply, challenges, mechanism } = await login("XOAUTH2", { username: USER, token: "expired.token" });
    expect(reply.code).toBe(535);
    expect(JSON.parse(text(challenges[0] as Uint8Array))).toEqual({ status: "401", schemes: "bearer", scope: "https://mail.example.org/" });
    expect(mechanism.failure?.code).toBe("bad-credentials");
    expect(mechanism.failure?.oauth).toEqual({ status: "401", schemes: "bearer", scope: "https://mail.example.org/" });
  });
});
