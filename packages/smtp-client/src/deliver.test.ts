import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { reply } from "@smtpkit/smtp-reply-codes";
import type { DnsResolver, StsPolicyFetcher } from "@smtpkit/smtp-dns-mx";
import { createServer, type Session, SmtpReplyError } from "@smtpkit/smtp-server-core";
import { afterEach, describe, expect, test } from "vitest";
import { deliver } from "./deliver.js";

const fixture = (n: string) => readFileSync(new URL(`../test/fixtures/${n}`, import.meta.url));
const TLS = { key: fixture("server.key"), cert: fixture("server.crt") };
const CA = fixture("ca.crt");

const servers: { close(o: { deadline: number }): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ deadline: 200 })));
});

async function mx(withTls = false) {
  const got: { rcpts: string[]; session: Session; bytes: Buffer }[] = [];
  const server = createServer(
    { hostname: "mx.test", listen: [{ host: "127.0.0.1", port: 0 }], ...(withTls ? { tls: TLS } : {}) },
    {
      onRcptTo(to) {
        if ("postmaster" in to) return;
        if (to.localPart === "bad") throw new SmtpReplyError(reply(550, "5.1.1", "No such user"));
        if (to.localPart === "later") throw new SmtpReplyError(reply(450, "4.2.1", "Try later"));
      },
      async onData(message: Readable, session: Session) {
        const parts: Buffer[] = [];
        for await (const p of message) parts.push(p as Buffer);
        got.push({ rcpts: session.envelope?.rcptTo.map((r) => r.address) ?? [], session, bytes: Buffer.concat(parts) });
      },
    },
  );
  servers.push(server);
  const [a] = await server.listen();
  return { port: (a as { port: number }).port, got };
}

function dnsError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

/** A resolver from a table: MX and A records; everything else NODATA, unknown names NXDOMAIN. */
function fakeResolver(mxs: Record<string, { exchange: string; priority: number }[]>, a: Record<string, string[]>, txt: Record<string, string[][]> = {}): DnsResolver {
  const known = (n: string) => n in mxs || n in a || n in txt;
  return {
    async resolveMx(n) {
      if (n in mxs) return mxs[n] ?? [];
      throw dnsError(known(n) ? "ENODATA" : "ENOTFOUND");
    },
    async resolve4(n) {
      if (n in a) return (a[n] ?? []).map((address) => ({ address, ttl: 60 }));
      throw dnsError(known(n) ? "ENODATA" : "ENOTFOUND");
    },
    async resolve6(n) {
      throw dnsError(known(n) ? "ENODATA" : "ENOTFOUND");
    },
    async resolveTxt(n) {
      if (n in txt) return txt[n] ?? [];
      throw dnsError("ENOTFOUND");
    },
  };
}

const MSG = "Subject: direct\r\n\r\nto the MX\r\n";

describe("deliver(): direct to MX", () => {
  test("groups by domain, falls back to the next MX, reports per recipient temporary/permanent", async () => {
    const server = await mx();
    const resolver = fakeResolver(
      {
        "a.test": [
          { exchange: "mx1.a.test", priority: 10 },
          { exchange: "mx2.a.test", priority: 20 },
        ],
        "b.test": [{ exchange: "mx.b.test", priority: 5 }],
      },
      // mx1.a.test: nothing listens on 127.0.0.2 at that port: connection refused, next host.
      { "mx1.a.test": ["127.0.0.2"], "mx2.a.test": ["127.0.0.1"], "mx.b.test": ["127.0.0.1"] },
    );
    const report = await deliver(MSG, {
      from: "sender@origin.test",
      to: ["one@a.test", "two@A.TEST", "bad@b.test", "later@b.test", "ok@b.test", "x@nx.test", "one@a.test"],
      port: server.port,
      tls: "none",
      resolve: { resolver, allowAddresses: ["127.0.0.0/8"] },
    });
    const by = Object.fromEntries(report.recipients.map((r) => [r.address, r]));
    expect(report.recipients.map((r) => r.address)).toEqual([
      "one@a.test",
      "two@A.TEST",
      "bad@b.test",
      "later@b.test",
      "ok@b.test",
      "x@nx.test",
    ]);
    expect(by["one@a.test"]).toMatchObject({ accepted: true, host: "mx2.a.test" });
    expect(by["two@A.TEST"]).toMatchObject({ accepted: true, host: "mx2.a.test" });
    expect(by["bad@b.test"]).toMatchObject({ accepted: false, temporary: false, reply: { code: 550 } });
    expect(by["later@b.test"]).toMatchObject({ accepted: false, temporary: true, reply: { code: 450 } });
    expect(by["ok@b.test"]).toMatchObject({ accepted: true, host: "mx.b.test" });
    expect(by["x@nx.test"]).toMatchObject({ accepted: false, temporary: false, error: { code: "mx-failed" } });
    expect(report.accepted).toEqual(["one@a.test", "two@A.TEST", "ok@b.test"]);
    // One transaction per domain.
    expect(server.got.map((g) => g.rcpts.sort())).toEqual(
      expect.arrayContaining([["one@a.test", "two@A.TEST"].sort(), ["ok@b.test"]]),
    );
    expect(server.got).toHaveLength(2);
  });

  test("every host unreachable: temporary for every recipient", async () => {
    const resolver = fakeResolver({ "c.test": [{ exchange: "mx.c.test", priority: 1 }] }, { "mx.c.test": ["127.0.0.3"] });
    const report = await deliver(MSG, {
      from: "s@o.test",
      to: ["a@c.test"],
      port: 1,
      tls: "none",
      resolve: { resolver, allowAddresses: ["127.0.0.0/8"] },
    });
    expect(report.recipients[0]).toMatchObject({ accepted: false, temporary: true, error: { phase: "connect" } });
  });

  test("MTA-STS enforce: a certificate not valid for the MX name means no delivery, even with insecure", async () => {
    const server = await mx(true);
    const resolver = fakeResolver(
      { "sts.test": [{ exchange: "mx.sts.test", priority: 1 }] },
      { "mx.sts.test": ["127.0.0.1"] },
      { "_mta-sts.sts.test": [["v=STSv1; id=20261129;"]] },
    );
    const fetch: StsPolicyFetcher = async () => ({
      status: 200,
      contentType: "text/plain",
      body: "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n",
    });
    const report = await deliver(MSG, {
      from: "s@o.test",
      to: ["a@sts.test"],
      port: server.port,
      tlsOptions: { ca: CA, insecure: true },
      resolve: { resolver, allowAddresses: ["127.0.0.0/8"], mtaSts: { fetch } },
    });
    expect(report.recipients[0]).toMatchObject({ accepted: false, temporary: true, error: { code: "tls-failed" } });
    expect(server.got).toHaveLength(0);
  });

  test("MTA-STS enforce (RFC 8461 §4.2): a certificate valid for the MX name, trusted CA: delivered over TLS", async () => {
    const server = await mx(true);
    // The fixture certificate names only localhost, so the policy's MX is localhost.
    const resolver = fakeResolver(
      { "ok-sts.test": [{ exchange: "localhost", priority: 1 }] },
      { localhost: ["127.0.0.1"] },
      { "_mta-sts.ok-sts.test": [["v=STSv1; id=20261129;"]] },
    );
    const fetch: StsPolicyFetcher = async () => ({
      status: 200,
      contentType: "text/plain",
      body: "version: STSv1\r\nmode: enforce\r\nmx: localhost\r\nmax_age: 86400\r\n",
    });
    const base = {
      from: "s@o.test",
      port: server.port,
      resolve: { resolver, allowAddresses: ["127.0.0.0/8"], mtaSts: { fetch } },
    };
    const report = await deliver(MSG, { ...base, to: "a@ok-sts.test", tlsOptions: { ca: CA } });
    expect(report.accepted).toEqual(["a@ok-sts.test"]);
    expect(report.recipients[0]).toMatchObject({ accepted: true, host: "localhost", reply: { code: 250 } });
    expect(server.got).toHaveLength(1);
    expect(server.got[0]?.session.tls?.via).toBe("starttls");
    expect(server.got[0]?.bytes.toString()).toBe(MSG);
    // Same policy, CA not trusted: the certificate does not validate, so no delivery, and the
    // failure is temporary (RFC 8461 §5: the sender retries later, it does not bounce or fall back).
    const untrusted = await deliver(MSG, { ...base, to: "b@ok-sts.test" });
    expect(untrusted.accepted).toEqual([]);
    expect(untrusted.recipients[0]).toMatchObject({ accepted: false, temporary: true, error: { code: "tls-failed" } });
    expect(server.got).toHaveLength(1);
  });

  test("without a policy, MX TLS is opportunistic: encrypted although the certificate names another host", async () => {
    const server = await mx(true);
    const resolver = fakeResolver({ "e.test": [{ exchange: "mx.e.test", priority: 1 }] }, { "mx.e.test": ["127.0.0.1"] });
    const report = await deliver(MSG, {
      from: "s@o.test",
      to: "a@e.test",
      port: server.port,
      resolve: { resolver, allowAddresses: ["127.0.0.0/8"] },
    });
    expect(report.accepted).toEqual(["a@e.test"]);
    expect(server.got[0]?.session.tls?.via).toBe("starttls");
    // Asking for validation makes the same delivery fail (temporarily), never fall back to plaintext.
    const strict = await deliver(MSG, {
      from: "s@o.test",
      to: "b@e.test",
      port: server.port,
      tlsOptions: { insecure: false },
      resolve: { resolver, allowAddresses: ["127.0.0.0/8"] },
    });
    expect(strict.recipients[0]).toMatchObject({ accepted: false, temporary: true, error: { code: "tls-failed" } });
    expect(server.got).toHaveLength(1);
  });

  test("a message given as a function is opened again for each attempt", async () => {
    const server = await mx();
    const resolver = fakeResolver({ "d.test": [{ exchange: "mx.d.test", priority: 1 }] }, { "mx.d.test": ["127.0.0.1"] });
    let opened = 0;
    const report = await deliver(
      () => {
        opened++;
        return (async function* () {
          yield Buffer.from(MSG);
        })();
      },
      { from: "s@o.test", to: "z@d.test", port: server.port, tls: "none", resolve: { resolver, allowAddresses: ["127.0.0.0/8"] } },
    );
    expect(report.accepted).toEqual(["z@d.test"]);
    expect(opened).toBe(1);
    expect(server.got[0]?.bytes.toString()).toBe(MSG);
  });
});
