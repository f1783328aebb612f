import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { deriveScramCredentials } from "./scram-core.js";
import { Secret } from "./secret.js";
import { createServerMechanism, serverMechanismNames } from "./server.js";
import { b64, bytes, CLEAR, EMPTY, expectSaslError, finish, text, TLS, unb64 } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";
import type { ChannelInfo, ServerMechanism } from "./types.js";
import { BINDING, storeFor, VECTORS } from "./test-support/scram-fixtures.js";
import type { ScramHash, ServerVerifiers } from "./verifiers.js";

for (const [name, v] of Object.entries(VECTORS)) {
  const mechanism = `SCRAM-${v.hash}`;
  describe(`${name}: the example exchange`, () => {
    test("client: client-first, client-final with the proof, and the server signature verified", async () => {
      const client = createClientMechanism(mechanism, { username: "user", password: "pencil" }, TLS, { nonce: () => v.clientNonce });
      const { initialResponse } = await client.start();
      expect(text(initialResponse as Uint8Array)).toBe(v.clientFirst);
      expect(text(await client.next(bytes(v.serverFirst)))).toBe(v.clientFinal);
      expect(await client.next(bytes(v.serverFinal))).toEqual(EMPTY);
      await expect(finish(client)).resolves.toBeUndefined();
    });

    test("server: from stored keys (deriveScramCredentials of the RFC's salt), the same messages", async () => {
      const credentials = await deriveScramCredentials("pencil", { hash: v.hash, salt: unb64(v.salt), iterations: 4096 });
      const asked: unknown[] = [];
      const verifiers: ServerVerifiers = {
        async lookupScramCredentials(username, hash) {
          asked.push([username, hash]);
          return username === "user" ? credentials : undefined;
        },
      };
      const server = createServerMechanism(mechanism, verifiers, TLS, { nonce: () => v.serverNonce });
      const first = await server.next(bytes(v.clientFirst));
      expect(first.done || text(first.challenge)).toBe(v.serverFirst);
      const final = await server.next(bytes(v.clientFinal));
      expect(final.done || text(final.challenge)).toBe(v.serverFinal);
      expect(await server.next(EMPTY)).toEqual({ done: true, identity: { mechanism, username: "user" } });
      expect(asked).toEqual([["user", v.hash]]);
    });

    test("server: the wrong proof (a flipped bit) is bad-credentials", async () => {
      const credentials = await deriveScramCredentials("pencil", { hash: v.hash, salt: unb64(v.salt) });
      const server = createServerMechanism(mechanism, { lookupScramCredentials: async () => credentials }, TLS, { nonce: () => v.serverNonce });
      await server.next(bytes(v.clientFirst));
      const at = v.clientFinal.indexOf(",p=") + 3;
      const proof = unb64(v.clientFinal.slice(at));
      proof[0] = (proof[0] as number) ^ 1;
      await expectSaslError(server.next(bytes(`${v.clientFinal.slice(0, at)}${b64(proof)}`)), "bad-credentials");
    });

    test("client: a wrong server signature is bad-server-signature; e= is bad-credentials", async () => {
      const wrong = createClientMechanism(mechanism, { username: "user", password: "pencil" }, TLS, { nonce: () => v.clientNonce });
      await wrong.start();
      await wrong.next(bytes(v.serverFirst));
      const signature = unb64(v.serverFinal.slice(2));
      signature[5] = (signature[5] as number) ^ 0x80;
      await expectSaslError(wrong.next(bytes(`v=${b64(signature)}`)), "bad-server-signature");

      const refused = createClientMechanism(mechanism, { username: "user", password: "pencil" }, TLS, { nonce: () => v.clientNonce });
      await refused.start();
      await refused.next(bytes(v.serverFirst));
      const e = await expectSaslError(refused.next(bytes("e=invalid-proof")), "bad-credentials");
      expect(e.message).toContain("invalid-proof");
    });

    test("client: a 235 before the server signature is refused by finish()", async () => {
      const client = createClientMechanism(mechanism, { username: "user", password: "pencil" }, TLS, { nonce: () => v.clientNonce });
      await client.start();
      await client.next(bytes(v.serverFirst));
      await expectSaslError(finish(client), "bad-server-signature");
    });

    test("client: server-final given as success data to finish() is verified there", async () => {
      const client = createClientMechanism(mechanism, { username: "user", password: "pencil" }, TLS, { nonce: () => v.clientNonce });
      await client.start();
      await client.next(bytes(v.serverFirst));
      await expect(finish(client, bytes(v.serverFinal))).resolves.toBeUndefined();
    });
  });
}

describe("SCRAM client: checks on server-first (RFC 5802 §5.1)", () => {
  const v = VECTORS["RFC 7677 §3 (SCRAM-SHA-256)"];
  async function afterFirst(serverFirst: string, options = {}) {
    const client = createClientMechanism("SCRAM-SHA-256", { username: "user", password: "pencil" }, TLS, { nonce: () => v.clientNonce, ...options });
    await client.start();
    return client.next(bytes(serverFirst));
  }

  for (const [what, serverFirst] of [
    ["a nonce that does not extend the client's", "r=XOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"],
    ["the client nonce alone", "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"],
    ["attributes out of order", "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqO%hvY,i=4096"],
    ["a mandatory extension m=", "m=ext,r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"],
    ["a salt that is not base64", "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096"],
    ["an empty salt", "r=rOprNGfwEbeRWgbNEkqO%hvY,s=,i=4096"],
    ["an iteration count with a leading zero", "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=04096"],
    ["an iteration count below 4096", "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1"],
    ["an iteration count above the maximum", "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000"],
    ["not attr=value", "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,junk"],
  ] as const) {
    test(`${what}: malformed`, async () => {
      await expectSaslError(afterFirst(serverFirst), "malformed");
    });
  }

  test("an extension after i= is ignored", async () => {
    const out = await afterFirst(`${v.serverFirst},x=ext`);
    expect(text(out)).toMatch(/^c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,p=/);
  });

  test("the limits are options", async () => {
    await expectSaslError(afterFirst(v.serverFirst, { minIterations: 5000 }), "malformed");
    await expectSaslError(afterFirst(v.serverFirst, { maxIterations: 4000, minIterations: 1 }), "malformed");
  });
});

describe("SCRAM server: checks on the client's messages", () => {
  const v = VECTORS["RFC 7677 §3 (SCRAM-SHA-256)"];
  async function server(channel: ChannelInfo = TLS, name = "SCRAM-SHA-256") {
    const credentials = await deriveScramCredentials("pencil", { hash: "SHA-256", salt: unb64(v.salt) });
    return createServerMechanism(name, { lookupScramCredentials: async (u) => (u === "user" ? credentials : undefined) }, channel, {
      nonce: () => v.serverNonce,
    });
  }

  for (const [what, clientFirst] of [
    ["no gs2 header", "n=user,r=abc"],
    ["a bad gs2 flag", "q,,n=user,r=abc"],
    ["a= without a saslname", "n,a=,n=user,r=abc"],
    ["username before the gs2 header's end", "n,n=user,r=abc"],
    ["r before n", "n,,r=abc,n=user"],
    ["a mandatory extension", "n,,m=x,n=user,r=abc"],
    ["a bad saslname escape", "n,,n=us=2Xer,r=abc"],
    ["a nonce with a non-printable character", "n,,n=user,r=a\u0001c"],
    ["an empty nonce", "n,,n=user,r="],
    ["a name SASLprep refuses", "n,,n=a\u0007,r=abc"],
    ["p= on a mechanism without -PLUS", "p=tls-exporter,,n=user,r=abc"],
    ["not UTF-8", "\u00ff"],
  ] as const) {
    test(`client-first with ${what}: malformed`, async () => {
      const message = what === "not UTF-8" ? new Uint8Array([0xff]) : bytes(clientFirst);
      await expectSaslError((await server()).next(message), "malformed");
    });
  }

  for (const [what, clientFinal] of [
    ["no proof", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"],
    ["a different nonce", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="],
    ["c= of another gs2 header", "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="],
    ["r before c", "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="],
    ["a short proof", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9"],
    ["a proof that is not base64", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!"],
  ] as const) {
    test(`client-final with ${what}: malformed`, async () => {
      const s = await server();
      await s.next(bytes(v.clientFirst));
      await expectSaslError(s.next(bytes(clientFinal)), "malformed");
    });
  }

  test("the empty acknowledgement of server-final must be empty", async () => {
    const s = await server();
    await s.next(bytes(v.clientFirst));
    await s.next(bytes(v.clientFinal));
    await expectSaslError(s.next(bytes("x")), "malformed");
  });

  test("without an initial response the server asks with an empty challenge", async () => {
    const s = await server();
    expect(await s.next(undefined)).toEqual({ done: false, challenge: EMPTY });
    const first = await s.next(bytes(v.clientFirst));
    expect(first.done || text(first.challenge)).toBe(v.serverFirst);
  });

  test("an unknown user gets an ordinary-looking server-first, then bad-credentials", async () => {
    const s = await server();
    const first = await s.next(bytes("n,,n=nobody,r=abcdef"));
    expect(first.done).toBe(false);
    if (first.done) return;
    const match = /^r=abcdef(.+),s=([A-Za-z0-9+/=]+),i=4096$/.exec(text(first.challenge));
    expect(match?.[1]).toBe(v.serverNonce);
    expect(unb64(match?.[2] ?? "").length).toBe(16);
    // The same fake salt every time for the same name, so probing twice shows nothing either.
    const again = await (await server()).next(bytes("n,,n=nobody,r=abcdef"));
    expect(again.done || text(again.challenge)).toBe(text(first.challenge));
    await expectSaslError(s.next(bytes(`c=biws,r=abcdef${v.serverNonce},p=${b64(new Uint8Array(32))}`)), "bad-credentials");
  });

  test("stored credentials of the wrong size are a temporary failure, not a crash", async () => {
    const broken: ServerVerifiers = {
      lookupScramCredentials: async () => ({ salt: new Uint8Array(4), iterations: 4096, storedKey: new Uint8Array(20), serverKey: new Uint8Array(20) }),
    };
    await expectSaslError(createServerMechanism("SCRAM-SHA-256", broken, TLS).next(bytes(v.clientFirst)), "temporary");
  });
});

describe("SCRAM: user names, passwords, and where the keys come from", () => {
  test("',' and '=' in the user name travel as =2C and =3D (RFC 5802 §5.1)", async () => {
    const client = createClientMechanism("SCRAM-SHA-1", { username: "a,b=c", password: "p" }, CLEAR, { nonce: () => "n0" });
    expect(text((await client.start()).initialResponse as Uint8Array)).toBe("n,,n=a=2Cb=3Dc,r=n0");
    const store = await storeFor("SHA-1", { "a,b=c": "p" });
    expect(await runExchange(createClientMechanism("SCRAM-SHA-1", { username: "a,b=c", password: "p" }, CLEAR), createServerMechanism("SCRAM-SHA-1", store, CLEAR))).toEqual({
      mechanism: "SCRAM-SHA-1",
      username: "a,b=c",
    });
  });

  test("passwords are SASLprepped on both ends: \\u2168 and IX are the same password", async () => {
    const store = await storeFor("SHA-256", { user: "\u2168" });
    const client = createClientMechanism("SCRAM-SHA-256", { username: "user", password: "IX" }, CLEAR);
    expect((await runExchange(client, createServerMechanism("SCRAM-SHA-256", store, CLEAR))).username).toBe("user");
  });

  test("from lookupPassword: the server derives the keys itself", async () => {
    const verifiers: ServerVerifiers = { lookupPassword: async (u) => (u === "user" ? new Secret("pencil") : undefined) };
    expect(serverMechanismNames(verifiers, CLEAR)).toEqual(["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"]);
    const ok = createClientMechanism("SCRAM-SHA-256", { username: "user", password: "pencil" }, CLEAR);
    expect((await runExchange(ok, createServerMechanism("SCRAM-SHA-256", verifiers, CLEAR))).username).toBe("user");
    const bad = createClientMechanism("SCRAM-SHA-256", { username: "user", password: "pencil!" }, CLEAR);
    await expectSaslError(runExchange(bad, createServerMechanism("SCRAM-SHA-256", verifiers, CLEAR)), "bad-credentials");
  });

  test("deriveScramCredentials: salt, iterations and key sizes; secrets redacted; bad options refused", async () => {
    const c = await deriveScramCredentials("pencil", { hash: "SHA-1" });
    expect(c.salt.length).toBe(16);
    expect(c.iterations).toBe(4096);
    expect(c.storedKey.revealBytes().length).toBe(20);
    expect(c.serverKey.revealBytes().length).toBe(20);
    expect(JSON.stringify(c)).toContain('"storedKey":"[redacted]"');
    await expect(deriveScramCredentials("p", { hash: "MD5" as ScramHash })).rejects.toThrow(RangeError);
    await expect(deriveScramCredentials("p", { hash: "SHA-1", iterations: 0 })).rejects.toThrow(RangeError);
    await expect(deriveScramCredentials("p", { hash: "SHA-1", salt: new Uint8Array(0) })).rejects.toThrow(RangeError);
  });

  test("PBKDF2 runs off the event loop: other callbacks run while the keys are derived", async () => {
    let done = false;
    const derivation = deriveScramCredentials("pencil", { hash: "SHA-256", iterations: 300_000 }).then(() => {
      done = true;
    });
    let turns = 0;
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      turns++;
    }
    await derivation;
    // With a synchronous PBKDF2 the whole derivation would finish inside the first call, before any turn.
    expect(turns).toBeGreaterThan(1);
  });
});

describe("SCRAM mechanisms as a set", () => {
  test("every variant completes against its own server, and fails with the wrong password", async () => {
    for (const hash of ["SHA-1", "SHA-256"] as const) {
      const store = await storeFor(hash, { user: "pencil" });
      // Without -PLUS both ends are on a channel without binding data: with it, "y" would be a downgrade.
      for (const [name, channel] of [
        [`SCRAM-${hash}`, TLS],
        [`SCRAM-${hash}-PLUS`, BINDING],
      ] as const) {
        const good = createClientMechanism(name, { username: "user", password: "pencil" }, channel);
        expect(await runExchange(good, createServerMechanism(name, store, channel) as ServerMechanism)).toEqual({ mechanism: name, username: "user" });
        const bad = createClientMechanism(name, { username: "user", password: "pencil2" }, channel);
        await expectSaslError(runExchange(bad, createServerMechanism(name, store, channel)), "bad-credentials");
      }
    }
  });
});
