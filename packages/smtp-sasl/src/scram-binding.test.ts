import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { createServerMechanism, serverMechanismNames } from "./server.js";
import { bytes, expectSaslError, text, TLS } from "./test-support/helpers.js";
import { runExchange } from "./test-support/run-exchange.js";
import { BINDING, storeFor } from "./test-support/scram-fixtures.js";
import type { ChannelInfo, ClientMechanism } from "./types.js";

describe("SCRAM channel binding and the gs2 header (RFC 5802 §6, §7; RFC 9266)", () => {
  const users = { user: "pencil" };

  async function flagOf(client: ClientMechanism): Promise<string> {
    const { initialResponse } = await client.start();
    return text(initialResponse as Uint8Array).split(",n=")[0] as string;
  }

  test("client flags: n without binding data, y with data but no -PLUS offered, p= for -PLUS", async () => {
    const creds = { username: "user", password: "pencil" };
    expect(await flagOf(createClientMechanism("SCRAM-SHA-256", creds, TLS))).toBe("n,");
    expect(await flagOf(createClientMechanism("SCRAM-SHA-256", creds, BINDING))).toBe("y,");
    expect(await flagOf(createClientMechanism("SCRAM-SHA-256", creds, BINDING, { offered: ["SCRAM-SHA-256", "PLAIN"] }))).toBe("y,");
    expect(await flagOf(createClientMechanism("SCRAM-SHA-256-PLUS", creds, BINDING))).toBe("p=tls-exporter,");
    expect(await flagOf(createClientMechanism("SCRAM-SHA-256-PLUS", creds, BINDING, { channelBindingType: "tls-server-end-point" }))).toBe(
      "p=tls-server-end-point,",
    );
    const endPointOnly: ChannelInfo = { encrypted: true, channelBinding: { "tls-server-end-point": new Uint8Array([1]) } };
    expect(await flagOf(createClientMechanism("SCRAM-SHA-1-PLUS", creds, endPointOnly))).toBe("p=tls-server-end-point,");
  });

  test("client refuses a downgrade: non-PLUS with binding data while the server offered -PLUS", async () => {
    await expectSaslError(
      () => createClientMechanism("SCRAM-SHA-256", { username: "user", password: "pencil" }, BINDING, { offered: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"] }),
      "downgrade",
    );
  });

  test("client: -PLUS without binding data is unsupported", async () => {
    await expectSaslError(() => createClientMechanism("SCRAM-SHA-256-PLUS", { username: "user", password: "pencil" }, TLS), "unsupported-mechanism");
    await expectSaslError(
      () =>
        createClientMechanism("SCRAM-SHA-256-PLUS", { username: "user", password: "pencil" }, { encrypted: true, channelBinding: { "tls-exporter": new Uint8Array(1) } }, {
          channelBindingType: "tls-server-end-point",
        }),
      "unsupported-mechanism",
    );
  });

  for (const type of ["tls-exporter", "tls-server-end-point"] as const) {
    test(`-PLUS with ${type}: client and server agree on the same channel`, async () => {
      for (const hash of ["SHA-256", "SHA-1"] as const) {
        const name = `SCRAM-${hash}-PLUS`;
        const client = createClientMechanism(name, { username: "user", password: "pencil" }, BINDING, { channelBindingType: type });
        const server = createServerMechanism(name, await storeFor(hash, users), BINDING);
        expect(await runExchange(client, server)).toEqual({ mechanism: name, username: "user" });
      }
    });
  }

  test("-PLUS: different binding data on the two ends (a man in the middle) is channel-binding", async () => {
    const client = createClientMechanism("SCRAM-SHA-256-PLUS", { username: "user", password: "pencil" }, BINDING);
    const other: ChannelInfo = { encrypted: true, channelBinding: { "tls-exporter": new Uint8Array(32).fill(8) } };
    const server = createServerMechanism("SCRAM-SHA-256-PLUS", await storeFor("SHA-256", users), other);
    await expectSaslError(runExchange(client, server), "channel-binding");
  });

  test("-PLUS server: a binding type it has no data for is channel-binding; n or y is malformed", async () => {
    const verifiers = await storeFor("SHA-256", users);
    const exporterOnly: ChannelInfo = { encrypted: true, channelBinding: { "tls-exporter": new Uint8Array(1) } };
    const s1 = createServerMechanism("SCRAM-SHA-256-PLUS", verifiers, exporterOnly);
    await expectSaslError(s1.next(bytes("p=tls-server-end-point,,n=user,r=abc")), "channel-binding");
    await expectSaslError(createServerMechanism("SCRAM-SHA-256-PLUS", verifiers, exporterOnly).next(bytes("p=tls-unique,,n=user,r=abc")), "channel-binding");
    await expectSaslError(createServerMechanism("SCRAM-SHA-256-PLUS", verifiers, exporterOnly).next(bytes("n,,n=user,r=abc")), "malformed");
    await expectSaslError(createServerMechanism("SCRAM-SHA-256-PLUS", verifiers, exporterOnly).next(bytes("y,,n=user,r=abc")), "malformed");
  });

  test('server: "y" is a downgrade when this server offers -PLUS on the channel, fine when it does not', async () => {
    const verifiers = await storeFor("SHA-256", users);
    expect(serverMechanismNames(verifiers, BINDING)).toContain("SCRAM-SHA-256-PLUS");
    await expectSaslError(createServerMechanism("SCRAM-SHA-256", verifiers, BINDING).next(bytes("y,,n=user,r=abc")), "downgrade");
    const first = await createServerMechanism("SCRAM-SHA-256", verifiers, TLS).next(bytes("y,,n=user,r=abc"));
    expect(first.done).toBe(false);
    const notOffered = await createServerMechanism("SCRAM-SHA-256", verifiers, BINDING, { mechanisms: ["SCRAM-SHA-256"] }).next(bytes("y,,n=user,r=abc"));
    expect(notOffered.done).toBe(false);
  });

  test("a client with binding data and a server without it complete with y", async () => {
    const client = createClientMechanism("SCRAM-SHA-256", { username: "user", password: "pencil" }, BINDING);
    expect(await runExchange(client, createServerMechanism("SCRAM-SHA-256", await storeFor("SHA-256", users), TLS))).toEqual({
      mechanism: "SCRAM-SHA-256",
      username: "user",
    });
  });

  test("a=authzid: refused without authorize(), granted with it", async () => {
    const store = await storeFor("SHA-256", users);
    const creds = { username: "user", password: "pencil", authzid: "admin,=x" };
    const client = createClientMechanism("SCRAM-SHA-256", creds, TLS, { nonce: () => "abc" });
    expect(text((await client.start()).initialResponse as Uint8Array)).toBe("n,a=admin=2C=3Dx,n=user,r=abc");
    await expectSaslError(runExchange(createClientMechanism("SCRAM-SHA-256", creds, TLS), createServerMechanism("SCRAM-SHA-256", store, TLS)), "not-authorized");
    const allowing = { ...store, authorize: async () => true };
    expect(await runExchange(createClientMechanism("SCRAM-SHA-256", creds, TLS), createServerMechanism("SCRAM-SHA-256", allowing, TLS))).toEqual({
      mechanism: "SCRAM-SHA-256",
      username: "user",
      authzid: "admin,=x",
    });
  });
});
