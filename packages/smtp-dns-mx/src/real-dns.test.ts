/**
 * Every rule again, through Node's real resolver (c-ares) over UDP and TCP against the fixture DNS
 * server on 127.0.0.1. Each call gets a fresh `Resolver`, so c-ares's own query cache never hides a
 * query from the server's log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { DnsCache } from "./dns-cache.js";
import { MxResolutionError, type MxResolutionErrorCode } from "./errors.js";
import { type ResolvePlanOptions, resolvePlan } from "./resolve-plan.js";
import { StsPolicyCache } from "./sts-cache.js";
import type { StsFetchRequest } from "./sts-fetch.js";
import { type DnsFixtureServer, startDnsServer } from "./test-support/dns-server.js";
import { seededRandom } from "./test-support/random.js";
import { fixtureZones } from "./test-support/zones.js";

const ALLOW = ["192.0.2.0/24", "2001:db8::/32"];
let server: DnsFixtureServer;

beforeAll(async () => {
  server = await startDnsServer(fixtureZones());
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.queries.length = 0;
});

function opts(extra: ResolvePlanOptions = {}): ResolvePlanOptions {
  return { resolver: server.resolver(), allowAddresses: ALLOW, random: seededRandom(7), ...extra };
}

const asked = () => server.queries.map((q) => `${q.transport} ${q.type} ${q.name}`);

async function expectFailure(p: Promise<unknown>, code: MxResolutionErrorCode, temporary: boolean, reply: string): Promise<MxResolutionError> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  if (!MxResolutionError.isInstance(error)) throw new Error(`expected an MxResolutionError, got ${String(error)}`);
  expect(error.code).toBe(code);
  expect(error.temporary).toBe(temporary);
  const en = error.reply.enhanced;
  expect(`${error.reply.code} ${en?.cls}.${en?.subject}.${en?.detail}`).toBe(reply);
  return error;
}

describe("over real DNS: rules 1–3 (RFC 5321 §5.1)", () => {
  test("RFC 5321 §5.1: sorted by preference, A and AAAA attached", async () => {
    const plan = await resolvePlan("mx.example.test", opts());
    expect(plan.hosts.map((h) => h.preference)).toEqual([10, 10, 20]);
    expect(plan.hosts.find((h) => h.host === "mx2.mx.example.test")?.addresses).toEqual(["2001:db8::12", "192.0.2.12"]);
    expect(plan.hosts[2]).toEqual({ preference: 20, host: "backup.mx.example.test", addresses: ["192.0.2.13"] });
  });

  test("RFC 5321 §5.1: equal preferences are randomised — with a seeded source, both hosts come first about equally often", async () => {
    const random = seededRandom(2024);
    const cache = new DnsCache();
    const firsts = { "mx1.mx.example.test": 0, "mx2.mx.example.test": 0 } as Record<string, number>;
    const runs = 200;
    for (let i = 0; i < runs; i++) {
      const plan = await resolvePlan("mx.example.test", opts({ random, cache }));
      const host = plan.hosts[0]?.host as string;
      firsts[host] = (firsts[host] ?? 0) + 1;
    }
    // Chi-square with one degree of freedom against 50/50; 10.83 is the 0.001 critical value.
    const expected = runs / 2;
    const chi = Object.values(firsts).reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    expect(Object.keys(firsts)).toHaveLength(2);
    expect(chi).toBeLessThan(10.83);
  });

  test("RFC 5321 §5.1: NODATA for MX -> implicit MX from A and AAAA", async () => {
    const plan = await resolvePlan("implicit.example.test", opts());
    expect(plan).toMatchObject({ implicitMx: true, hosts: [{ preference: 0, host: "implicit.example.test", addresses: ["2001:db8::50", "192.0.2.50"] }] });
  });

  test("RFC 5321 §5.1: NXDOMAIN -> permanent", async () => {
    await expectFailure(resolvePlan("gone.example.test", opts()), "domain-not-found", false, "550 5.1.2");
  });

  test("RFC 5321 §5.1: neither MX nor address -> permanent", async () => {
    await expectFailure(resolvePlan("nodata.example.test", opts()), "no-address", false, "550 5.4.4");
  });

  test("RFC 5321 §5.1: SERVFAIL -> temporary, and only the MX query was sent (no fall-back to A/AAAA)", async () => {
    const e = await expectFailure(resolvePlan("servfail-with-a.example.test", opts()), "dns-failure", true, "451 4.4.3");
    expect((e.cause as { code?: string }).code).toBe("ESERVFAIL");
    expect(asked()).toEqual(["udp MX servfail-with-a.example.test"]);
  });

  test("RFC 5321 §5.1: REFUSED -> temporary", async () => {
    const e = await expectFailure(resolvePlan("refused.example.test", opts()), "dns-failure", true, "451 4.4.3");
    expect((e.cause as { code?: string }).code).toBe("EREFUSED");
  });

  test("RFC 5321 §5.1: a server that answers too slowly -> ETIMEOUT, temporary, no fall-back", async () => {
    const e = await expectFailure(
      resolvePlan("slow.example.test", opts({ resolver: server.resolver({ timeout: 150, tries: 1 }) })),
      "dns-failure",
      true,
      "451 4.4.3",
    );
    expect((e.cause as { code?: string }).code).toBe("ETIMEOUT");
    expect(asked().every((q) => q.includes(" MX "))).toBe(true);
  });

  test("RFC 5321 §5.1: MX hosts that do not resolve -> temporary; the domain's own A is never asked", async () => {
    await expectFailure(resolvePlan("unresolvable.example.test", opts()), "no-usable-host", true, "451 4.4.4");
    expect(asked()).not.toContain("udp A unresolvable.example.test");
  });
});

describe("over real DNS: rules 4–7", () => {
  test("RFC 7505 §3: null MX -> 556 5.1.10, nothing else asked", async () => {
    await expectFailure(resolvePlan("nullmx.example.test", opts()), "null-mx", false, "556 5.1.10");
    expect(asked()).toEqual(["udp MX nullmx.example.test"]);
  });

  test("RFC 7505 §3 (decision): null MX mixed with real MX -> the real MX is used", async () => {
    const plan = await resolvePlan("nullmx-mixed.example.test", opts());
    expect(plan.hosts.map((h) => h.host)).toEqual(["mx1.mx.example.test"]);
    expect(plan.dropped[0]?.reason).toBe("null-mx-mixed");
  });

  test("RFC 5321 §5.1: the domain is a CNAME -> the target's MX", async () => {
    const plan = await resolvePlan("alias.example.test", opts());
    expect(plan.hosts).toHaveLength(3);
  });

  test("RFC 5321 §5.1: a CNAME chain to a name without MX -> implicit MX at the canonical name", async () => {
    const plan = await resolvePlan("alias-implicit.example.test", opts());
    expect(plan.hosts[0]).toMatchObject({ host: "implicit.example.test", addresses: ["2001:db8::50", "192.0.2.50"] });
    expect(asked()).toContain("udp CNAME alias-implicit.example.test");
  });

  test("RFC 5321 §5.1: a CNAME loop -> the server gives SERVFAIL -> temporary", async () => {
    await expectFailure(resolvePlan("loop-a.example.test", opts()), "dns-failure", true, "451 4.4.3");
  });

  test("RFC 5321 §5.1: an MX host that is a CNAME is followed", async () => {
    const plan = await resolvePlan("mxcname.example.test", opts());
    expect(plan.hosts[0]?.addresses).toEqual(["2001:db8::11", "192.0.2.11"]);
  });

  test("RFC 5321 §5.1: an IP address as MX target is rejected, never looked up", async () => {
    const plan = await resolvePlan("ipmx.example.test", opts());
    expect(plan.hosts.map((h) => h.host)).toEqual(["mx1.mx.example.test"]);
    expect(asked().some((q) => q.endsWith(" 192.0.2.1"))).toBe(false);
  });

  test("RFC 5321 §4.1.3: address literals send no query", async () => {
    const plan = await resolvePlan("[IPv6:2001:DB8::25]", opts());
    expect(plan.hosts).toEqual([{ preference: 0, host: "[IPv6:2001:db8::25]", addresses: ["2001:db8::25"] }]);
    expect(asked()).toEqual([]);
  });

  test("UTS #46: bücher.test and faß.de are asked for as xn--bcher-kva.test and xn--fa-hia.de", async () => {
    await resolvePlan("bücher.test", opts());
    await resolvePlan("faß.de", opts());
    expect(asked().filter((q) => q.includes(" MX "))).toEqual(["udp MX xn--bcher-kva.test", "udp MX xn--fa-hia.de"]);
  });

  test("RFC 5321 §5.1: case, root dots and duplicate hosts from the wire are normalised", async () => {
    const plan = await resolvePlan("dup.example.test", opts());
    expect(plan.hosts.map((h) => [h.preference, h.host])).toEqual([
      [10, "mx1.mx.example.test"],
      [30, "backup.mx.example.test"],
    ]);
  });
});

describe("over real DNS: rules 8–10", () => {
  test("RFC 1035 §4.2.1: a truncated UDP answer is asked again over TCP, and the cap applies", async () => {
    const plan = await resolvePlan("many.example.test", opts({ maxHosts: 4 }));
    expect(asked().slice(0, 2)).toEqual(["udp MX many.example.test", "tcp MX many.example.test"]);
    expect(plan.hosts.map((h) => h.host)).toEqual(["mx00.many.example.test", "mx01.many.example.test", "mx02.many.example.test", "mx03.many.example.test"]);
    expect(plan.dropped.filter((d) => d.reason === "over-limit")).toHaveLength(26);
  });

  test("RFC 8305 §4: address families interleaved by default, capped per host (RFC 5321 §5.1 limit)", async () => {
    const plan = await resolvePlan("dual.example.test", opts({ maxAddressesPerHost: 3 }));
    expect(plan.hosts[0]?.addresses).toEqual(["2001:db8::21", "192.0.2.21", "2001:db8::22"]);
    const v4 = await resolvePlan("dual.example.test", opts({ ipFamilies: "ipv4" }));
    expect(v4.hosts[0]?.addresses).toEqual(["192.0.2.21", "192.0.2.22", "192.0.2.23"]);
  });

  test("RFC 5321 §5.1: self by name and by address cuts equal and worse preferences; self as best MX is a loop", async () => {
    const byName = await resolvePlan("selfcut.example.test", opts({ selfNames: ["us.selfcut.example.test"] }));
    expect(byName.hosts.map((h) => h.host)).toEqual(["primary.selfcut.example.test"]);
    const byAddress = await resolvePlan("selfcut.example.test", opts({ selfAddresses: ["192.0.2.61"] }));
    expect(byAddress.hosts.map((h) => h.host)).toEqual(["primary.selfcut.example.test"]);
    await expectFailure(resolvePlan("selfbest.example.test", opts({ selfAddresses: ["192.0.2.61"] })), "mx-loop", false, "550 5.4.6");
  });

  test("RFC 6890: refused addresses from real answers are filtered, mapped and NAT64 forms included", async () => {
    const plan = await resolvePlan("private.example.test", opts());
    expect(plan.hosts).toEqual([{ preference: 20, host: "good.private.example.test", addresses: ["192.0.2.70"] }]);
    await expectFailure(resolvePlan("allprivate.example.test", opts()), "address-refused", false, "550 5.4.4");
  });

  test("RFC 1035 §3.2.1: with a DnsCache a second plan sends no query until the shortest TTL (60 s) passes on the injected clock", async () => {
    let now = 0;
    const cache = new DnsCache();
    const o = () => opts({ cache, clock: () => now, resolver: server.resolver() });
    await resolvePlan("mx.example.test", o());
    const first = server.queries.length;
    expect(first).toBe(7);
    await resolvePlan("mx.example.test", o());
    expect(server.queries.length).toBe(first);
    now = 60_000;
    await resolvePlan("mx.example.test", o());
    expect(asked().slice(first).sort()).toEqual(["udp A mx2.mx.example.test", "udp AAAA mx2.mx.example.test"]);
  });

  test("RFC 2308 §5: NXDOMAIN from the server is cached negatively", async () => {
    let now = 0;
    const cache = new DnsCache({ negativeTtl: 10 });
    const o = () => opts({ cache, clock: () => now, resolver: server.resolver() });
    await expectFailure(resolvePlan("gone.example.test", o()), "domain-not-found", false, "550 5.1.2");
    await expectFailure(resolvePlan("gone.example.test", o()), "domain-not-found", false, "550 5.1.2");
    expect(asked()).toEqual(["udp MX gone.example.test"]);
    now = 10_000;
    await expectFailure(resolvePlan("gone.example.test", o()), "domain-not-found", false, "550 5.1.2");
    expect(asked()).toHaveLength(2);
  });
});

describe("over real DNS: MTA-STS discovery (RFC 8461 §3.1)", () => {
  const policy = "version: STSv1\nmode: enforce\nmx: mx1.sts.example.test\nmx: *.sts.example.test\nmax_age: 86400\n";

  test("RFC 8461 §3.1: the TXT record (two strings) gives the id; enforce drops the host the policy does not list", async () => {
    const requests: StsFetchRequest[] = [];
    const fetch = async (r: StsFetchRequest) => {
      requests.push(r);
      return { status: 200, contentType: "text/plain; charset=utf-8", body: policy };
    };
    const cache = new StsPolicyCache();
    const plan = await resolvePlan("sts.example.test", opts({ mtaSts: { fetch, cache }, clock: () => 0 }));
    expect(requests.map((r) => r.url)).toEqual(["https://mta-sts.sts.example.test/.well-known/mta-sts.txt"]);
    expect(plan.hosts.map((h) => h.host)).toEqual(["mx1.sts.example.test", "mx2.sts.example.test"]);
    expect(plan.hosts.every((h) => h.tls?.enforce === true)).toBe(true);
    expect(plan.dropped).toEqual([{ preference: 30, host: "relay.other.example", reason: "mta-sts-mismatch" }]);
    expect(plan.mtaSts).toMatchObject({ status: "policy", mode: "enforce", id: "20240101T000000", source: "fetched" });
    expect(asked()).toContain("udp TXT _mta-sts.sts.example.test");
    // Same id on the next delivery: the cached policy, no fetch.
    const again = await resolvePlan("sts.example.test", opts({ mtaSts: { fetch, cache }, clock: () => 1000 }));
    expect(again.mtaSts).toMatchObject({ status: "policy", source: "cache" });
    expect(requests).toHaveLength(1);
  });

  test("RFC 8461 §3.1: two v=STSv1 records -> no policy, nothing fetched", async () => {
    const fetch = async (): Promise<never> => {
      throw new Error("must not fetch");
    };
    const plan = await resolvePlan("two-sts.example.test", opts({ mtaSts: { fetch } }));
    expect(plan.mtaSts).toEqual({ status: "none", reason: "multiple-records" });
    expect(plan.hosts[0]?.tls).toBeUndefined();
  });

  test("RFC 8461 §3.1: no TXT record -> no policy", async () => {
    const plan = await resolvePlan("mx.example.test", opts({ mtaSts: { fetch: async () => ({ status: 500, body: "" }) } }));
    expect(plan.mtaSts).toEqual({ status: "none", reason: "no-record" });
  });
});
