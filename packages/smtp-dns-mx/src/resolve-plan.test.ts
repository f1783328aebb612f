import { describe, expect, test } from "vitest";
import { DnsCache } from "./dns-cache.js";
import { MxResolutionError, type MxResolutionErrorCode } from "./errors.js";
import type { DeliveryPlan } from "./plan.js";
import { type ResolvePlanOptions, resolvePlan } from "./resolve-plan.js";
import type { DnsResolver } from "./resolver.js";
import { dnsError, fakeResolver } from "./test-support/fake-resolver.js";
import { seededRandom } from "./test-support/random.js";
import { fixtureZones, type Zones } from "./test-support/zones.js";

const zones = fixtureZones();
const ALLOW = ["192.0.2.0/24", "2001:db8::/32"];

function opts(extra: ResolvePlanOptions = {}, z: Zones = zones): ResolvePlanOptions {
  return { resolver: fakeResolver(z), allowAddresses: ALLOW, random: seededRandom(1), ...extra };
}

async function failure(p: Promise<unknown>): Promise<MxResolutionError> {
  try {
    await p;
  } catch (e) {
    if (MxResolutionError.isInstance(e)) return e;
    throw e;
  }
  throw new Error("expected an MxResolutionError");
}

async function expectFailure(p: Promise<unknown>, code: MxResolutionErrorCode, temporary: boolean, reply: string): Promise<MxResolutionError> {
  const e = await failure(p);
  expect(e.code).toBe(code);
  expect(e.temporary).toBe(temporary);
  const en = e.reply.enhanced;
  expect(`${e.reply.code} ${en?.cls}.${en?.subject}.${en?.detail}`).toBe(reply);
  return e;
}

const hostsOf = (plan: DeliveryPlan) => plan.hosts.map((h) => [h.preference, h.host]);

describe("rule 1: MX ordering (RFC 5321 §5.1)", () => {
  test("RFC 5321 §5.1: hosts sorted by ascending preference, addresses attached", async () => {
    const plan = await resolvePlan("mx.example.test", opts());
    expect(plan.domain).toBe("mx.example.test");
    expect(plan.implicitMx).toBe(false);
    expect(plan.hosts.map((h) => h.preference)).toEqual([10, 10, 20]);
    expect(new Set(plan.hosts.slice(0, 2).map((h) => h.host))).toEqual(new Set(["mx1.mx.example.test", "mx2.mx.example.test"]));
    expect(plan.hosts[2]).toEqual({ preference: 20, host: "backup.mx.example.test", addresses: ["192.0.2.13"] });
    const mx1 = plan.hosts.find((h) => h.host === "mx1.mx.example.test");
    expect(mx1?.addresses).toEqual(["2001:db8::11", "192.0.2.11"]);
  });

  test("RFC 5321 §5.1: equal preferences are shuffled with the injected random source", async () => {
    const first = (r: () => number) => resolvePlan("mx.example.test", opts({ random: r })).then((p) => p.hosts[0]?.host);
    // The records come as [mx1, mx2]; Fisher–Yates over two items swaps them when the draw is below 1/2.
    expect(await first(() => 0)).toBe("mx2.mx.example.test");
    expect(await first(() => 0.99)).toBe("mx1.mx.example.test");
  });
});

describe("rule 2: implicit MX, NXDOMAIN and failures (RFC 5321 §5.1)", () => {
  test("RFC 5321 §5.1: no MX records (NODATA) -> implicit MX, the domain at preference 0 with A and AAAA", async () => {
    const plan = await resolvePlan("implicit.example.test", opts());
    expect(plan.implicitMx).toBe(true);
    expect(plan.hosts).toEqual([{ preference: 0, host: "implicit.example.test", addresses: ["2001:db8::50", "192.0.2.50"] }]);
  });

  test("RFC 5321 §5.1: NXDOMAIN is a permanent failure (550 5.1.2)", async () => {
    const e = await expectFailure(resolvePlan("gone.example.test", opts()), "domain-not-found", false, "550 5.1.2");
    expect(e.category).toBe("domain");
    expect(e.domain).toBe("gone.example.test");
  });

  test("RFC 5321 §5.1: no MX and no A/AAAA either is a permanent failure (550 5.4.4)", async () => {
    await expectFailure(resolvePlan("nodata.example.test", opts()), "no-address", false, "550 5.4.4");
  });

  test.each([
    ["servfail.example.test", "ESERVFAIL"],
    ["refused.example.test", "EREFUSED"],
    ["slow.example.test", "ETIMEOUT"],
  ])("RFC 5321 §5.1: %s (%s) is a temporary failure (451 4.4.3) with the resolver error as cause", async (domain, code) => {
    const e = await expectFailure(resolvePlan(domain, opts()), "dns-failure", true, "451 4.4.3");
    expect(e.category).toBe("dns");
    expect((e.cause as { code?: string }).code).toBe(code);
  });

  test("RFC 5321 §5.1: a failed MX lookup never falls back to the domain's A record", async () => {
    const resolver = fakeResolver(zones);
    await expectFailure(resolvePlan("servfail-with-a.example.test", opts({ resolver })), "dns-failure", true, "451 4.4.3");
    expect(resolver.calls).toEqual(["MX servfail-with-a.example.test"]);
  });

  test("RFC 5321 §5.1: an empty MX answer (c-ares gives [] for a CNAME without data) is NODATA", async () => {
    const base = fakeResolver(zones);
    const resolver: DnsResolver = { ...base, resolveMx: async () => [] };
    const plan = await resolvePlan("implicit.example.test", opts({ resolver }));
    expect(plan.implicitMx).toBe(true);
  });
});

describe("rule 3: MX hosts that do not resolve (RFC 5321 §5.1)", () => {
  test("RFC 5321 §5.1: none of the MX hosts resolves -> temporary (451 4.4.4), no fall-back to the domain's A", async () => {
    const resolver = fakeResolver(zones);
    const e = await expectFailure(resolvePlan("unresolvable.example.test", opts({ resolver })), "no-usable-host", true, "451 4.4.4");
    expect(e.message).toContain("gone.example.test (no-address)");
    expect(e.message).toContain("broken.example.test (dns-failure ESERVFAIL)");
    expect(resolver.calls).not.toContain("A unresolvable.example.test");
  });

  test("RFC 5321 §5.1: hosts that do not resolve are dropped, the others kept", async () => {
    const z: Zones = { ...zones, "partial.test": { MX: [[10, "gone.example.test"], [20, "mx1.mx.example.test"]] } };
    const plan = await resolvePlan("partial.test", opts({}, z));
    expect(hostsOf(plan)).toEqual([[20, "mx1.mx.example.test"]]);
    expect(plan.dropped).toEqual([{ preference: 10, host: "gone.example.test", reason: "no-address" }]);
  });
});

describe("rule 4: null MX (RFC 7505)", () => {
  test("RFC 7505 §3: a single '0 .' MX is a permanent failure with 556 5.1.10, even with an A record", async () => {
    const resolver = fakeResolver(zones);
    const e = await expectFailure(resolvePlan("nullmx.example.test", opts({ resolver })), "null-mx", false, "556 5.1.10");
    expect(e.reply.lines).toEqual(["Recipient address has null MX"]);
    expect(resolver.calls).toEqual(["MX nullmx.example.test"]);
  });

  test("RFC 7505 §3: a single root MX at another preference is a null MX too", async () => {
    const z: Zones = { "nullmx10.test": { MX: [[10, "."]] } };
    await expectFailure(resolvePlan("nullmx10.test", opts({}, z)), "null-mx", false, "556 5.1.10");
  });

  test("RFC 7505 §3 (decision): a root MX mixed with real MX records is dropped and the real hosts are used", async () => {
    const plan = await resolvePlan("nullmx-mixed.example.test", opts());
    expect(hostsOf(plan)).toEqual([[10, "mx1.mx.example.test"]]);
    expect(plan.dropped).toEqual([{ preference: 0, host: ".", reason: "null-mx-mixed" }]);
  });
});

describe("rule 5: CNAMEs and IP-address targets (RFC 5321 §5.1)", () => {
  test("RFC 5321 §5.1: the domain is a CNAME -> processed as the target (recursive answer)", async () => {
    const plan = await resolvePlan("alias.example.test", opts());
    expect(plan.domain).toBe("alias.example.test");
    expect(plan.hosts.map((h) => h.host).sort()).toEqual(["backup.mx.example.test", "mx1.mx.example.test", "mx2.mx.example.test"]);
  });

  test("RFC 5321 §5.1: a CNAME chain to a name without MX -> implicit MX at the canonical name", async () => {
    const plan = await resolvePlan("alias-implicit.example.test", opts());
    expect(plan.implicitMx).toBe(true);
    expect(plan.hosts[0]?.host).toBe("implicit.example.test");
  });

  test("RFC 5321 §5.1: a CNAME is followed here when the resolver does not follow it", async () => {
    // An authoritative-only server answers the MX query of an alias with the CNAME alone.
    const base = fakeResolver(zones);
    const resolver: DnsResolver = {
      ...base,
      resolveMx: async (name) => {
        if (name === "alias.example.test") throw dnsError("ENODATA", "queryMx", name);
        return base.resolveMx(name);
      },
    };
    const plan = await resolvePlan("alias.example.test", opts({ resolver }));
    expect(plan.hosts).toHaveLength(3);
  });

  test("RFC 5321 §5.1: a CNAME to a name that does not exist is NXDOMAIN, permanent", async () => {
    await expectFailure(resolvePlan("alias-gone.example.test", opts()), "domain-not-found", false, "550 5.1.2");
  });

  test("RFC 5321 §5.1: a CNAME loop is a temporary DNS failure", async () => {
    await expectFailure(resolvePlan("loop-a.example.test", opts()), "dns-failure", true, "451 4.4.3");
  });

  test("RFC 5321 §5.1: a CNAME chain longer than maxCnameHops is a temporary DNS failure", async () => {
    await expectFailure(resolvePlan("alias-implicit.example.test", opts({ maxCnameHops: 1 })), "dns-failure", true, "451 4.4.3");
  });

  test("RFC 5321 §5.1 / RFC 2181 §10.3: an MX host that is a CNAME is followed leniently", async () => {
    const plan = await resolvePlan("mxcname.example.test", opts());
    expect(plan.hosts).toEqual([{ preference: 10, host: "mxalias.example.test", addresses: ["2001:db8::11", "192.0.2.11"] }]);
  });

  test("RFC 5321 §5.1: an MX target written as an IP address is rejected (as Postfix does)", async () => {
    const plan = await resolvePlan("ipmx.example.test", opts());
    expect(hostsOf(plan)).toEqual([[10, "mx1.mx.example.test"]]);
    expect(plan.dropped).toEqual([{ preference: 5, host: "192.0.2.1", reason: "ip-address-target" }]);
  });

  test("RFC 5321 §5.1: only IP-address targets -> no usable host, temporary", async () => {
    await expectFailure(resolvePlan("ipmx-only.example.test", opts()), "no-usable-host", true, "451 4.4.4");
  });
});

describe("rule 6: address literals (RFC 5321 §4.1.3)", () => {
  test.each([
    ["[192.0.2.1]", "[192.0.2.1]", "192.0.2.1"],
    ["[192.000.002.001]", "[192.0.2.1]", "192.0.2.1"],
    ["[IPv6:2001:db8::1]", "[IPv6:2001:db8::1]", "2001:db8::1"],
    ["[ipv6:2001:DB8:0:0:0:0:0:1]", "[IPv6:2001:db8::1]", "2001:db8::1"],
    ["[IPv6:::ffff:192.0.2.5]", "[IPv6:::ffff:192.0.2.5]", "::ffff:192.0.2.5"],
  ])("RFC 5321 §4.1.3: %s skips DNS", async (input, literal, address) => {
    const resolver = fakeResolver(zones);
    const plan = await resolvePlan(input, opts({ resolver }));
    expect(plan).toEqual({ domain: literal, implicitMx: true, hosts: [{ preference: 0, host: literal, addresses: [address] }], dropped: [] });
    expect(resolver.calls).toEqual([]);
  });

  test.each(["[192.0.2]", "[256.0.0.1]", "[IPv6:1:2:3:4:5:6:7::]", "[x-tag:whatever]", "[]", "[IPv6:zz::1]"])(
    "RFC 5321 §4.1.3: %s is not a usable literal -> invalid-domain (553 5.1.3)",
    async (input) => {
      await expectFailure(resolvePlan(input, opts()), "invalid-domain", false, "553 5.1.3");
    },
  );

  test("RFC 5321 §4.1.3: a literal with a refused address is refused; self is a loop", async () => {
    await expectFailure(resolvePlan("[127.0.0.1]", opts()), "address-refused", false, "550 5.4.4");
    await expectFailure(resolvePlan("[192.0.2.7]", opts({ selfAddresses: ["192.0.2.7"] })), "mx-loop", false, "550 5.4.6");
    const plan = await resolvePlan("[127.0.0.1]", opts({ allowAddresses: ["127.0.0.0/8"] }));
    expect(plan.hosts[0]?.addresses).toEqual(["127.0.0.1"]);
  });
});

describe("rule 7: IDNA and name normalisation (RFC 5890, UTS #46)", () => {
  test("UTS #46 non-transitional: bücher.test -> xn--bcher-kva.test, faß.de -> xn--fa-hia.de", async () => {
    const a = await resolvePlan("bücher.test", opts());
    expect(a.domain).toBe("xn--bcher-kva.test");
    expect(hostsOf(a)).toEqual([[10, "mx1.mx.example.test"]]);
    const b = await resolvePlan("FAß.de.", opts());
    expect(b.domain).toBe("xn--fa-hia.de");
    expect(hostsOf(b)).toEqual([[10, "mx2.mx.example.test"]]);
  });

  test("RFC 5321 §5.1: trailing dots stripped, names lower-cased, duplicate hosts removed (best preference kept)", async () => {
    const plan = await resolvePlan("DUP.Example.TEST.", opts());
    expect(plan.domain).toBe("dup.example.test");
    expect(hostsOf(plan)).toEqual([
      [10, "mx1.mx.example.test"],
      [30, "backup.mx.example.test"],
    ]);
    expect(plan.dropped).toEqual([{ preference: 20, host: "mx1.mx.example.test", reason: "duplicate" }]);
  });

  test.each(["", ".", "a..b", "-a.test", "a_b.test", "1.2.3.4", "127.1", "xn--zz.test", `${"a".repeat(64)}.test`, "a b.test", "x\r\ny.test"])(
    "RFC 1123 §2.1: %j is not a domain -> invalid-domain, permanent",
    async (input) => {
      const resolver = fakeResolver(zones);
      await expectFailure(resolvePlan(input, opts({ resolver })), "invalid-domain", false, "553 5.1.3");
      expect(resolver.calls).toEqual([]);
    },
  );
});

describe("rule 8: caps and address families (RFC 5321 §5.1, RFC 8305 §4)", () => {
  test("RFC 5321 §5.1 'a configurable limit on the number of alternate addresses': maxHosts keeps the best hosts, the rest are never looked up", async () => {
    const resolver = fakeResolver(zones);
    const plan = await resolvePlan("many.example.test", opts({ resolver, maxHosts: 3 }));
    expect(hostsOf(plan)).toEqual([
      [0, "mx00.many.example.test"],
      [1, "mx01.many.example.test"],
      [2, "mx02.many.example.test"],
    ]);
    expect(plan.dropped.filter((d) => d.reason === "over-limit")).toHaveLength(27);
    expect(resolver.calls.filter((c) => c.startsWith("A "))).toHaveLength(3);
  });

  test("RFC 8305 §4: both families by default, IPv6 first and interleaved; maxAddressesPerHost keeps both families", async () => {
    const plan = await resolvePlan("dual.example.test", opts({ maxAddressesPerHost: 4 }));
    expect(plan.hosts[0]?.addresses).toEqual(["2001:db8::21", "192.0.2.21", "2001:db8::22", "192.0.2.22"]);
  });

  test("RFC 5321 §5.1: preferFamily ipv4 without interleaving keeps the resolver's order inside each family", async () => {
    const plan = await resolvePlan("dual.example.test", opts({ preferFamily: "ipv4", interleave: false }));
    expect(plan.hosts[0]?.addresses).toEqual(["192.0.2.21", "192.0.2.22", "192.0.2.23", "2001:db8::21", "2001:db8::22", "2001:db8::23"]);
  });

  test("RFC 5321 §5.1: ipFamilies ipv4 asks only for A records", async () => {
    const resolver = fakeResolver(zones);
    const plan = await resolvePlan("dual.example.test", opts({ resolver, ipFamilies: "ipv4" }));
    expect(plan.hosts[0]?.addresses).toEqual(["192.0.2.21", "192.0.2.22", "192.0.2.23"]);
    expect(resolver.calls.some((c) => c.startsWith("AAAA"))).toBe(false);
  });

  test("RFC 5321 §5.1: ipFamilies ipv6 asks only for AAAA records", async () => {
    const plan = await resolvePlan("dual.example.test", opts({ ipFamilies: "ipv6" }));
    expect(plan.hosts[0]?.addresses).toEqual(["2001:db8::21", "2001:db8::22", "2001:db8::23"]);
  });

  test("option values are checked", async () => {
    await expect(resolvePlan("mx.example.test", opts({ maxHosts: 0 }))).rejects.toThrow(RangeError);
    await expect(resolvePlan("mx.example.test", opts({ allowAddresses: ["10.0.0.0/33"] }))).rejects.toThrow(TypeError);
    await expect(resolvePlan("mx.example.test", opts({ selfAddresses: ["host"] }))).rejects.toThrow(TypeError);
  });
});

describe("rule 9: self and loop protection (RFC 5321 §5.1)", () => {
  test("RFC 5321 §5.1: an MX that is this host (by name) removes itself and every MX of equal or worse preference", async () => {
    const plan = await resolvePlan("selfcut.example.test", opts({ selfNames: ["US.selfcut.example.test."] }));
    expect(hostsOf(plan)).toEqual([[10, "primary.selfcut.example.test"]]);
    expect(plan.dropped.map((d) => [d.host, d.reason]).sort()).toEqual([
      ["backup.selfcut.example.test", "not-better-than-self"],
      ["peer.selfcut.example.test", "not-better-than-self"],
      ["us.selfcut.example.test", "self"],
    ]);
  });

  test("RFC 5321 §5.1: the same cut when this host is recognised by address", async () => {
    const plan = await resolvePlan("selfcut.example.test", opts({ selfAddresses: ["::ffff:192.0.2.61"] }));
    expect(hostsOf(plan)).toEqual([[10, "primary.selfcut.example.test"]]);
  });

  test("RFC 5321 §5.1: this host is the best MX -> 'the message MUST be returned as undeliverable' (550 5.4.6)", async () => {
    await expectFailure(resolvePlan("selfbest.example.test", opts({ selfNames: ["us.selfcut.example.test"] })), "mx-loop", false, "550 5.4.6");
    await expectFailure(resolvePlan("selfbest.example.test", opts({ selfAddresses: ["192.0.2.61"] })), "mx-loop", false, "550 5.4.6");
    await expectFailure(resolvePlan("implicit.example.test", opts({ selfNames: ["implicit.example.test"] })), "mx-loop", false, "550 5.4.6");
  });

  test("RFC 6890: loopback, private, link-local, mapped and NAT64 forms are filtered; the public host stays", async () => {
    const plan = await resolvePlan("private.example.test", opts());
    expect(hostsOf(plan)).toEqual([[20, "good.private.example.test"]]);
    expect(plan.hosts[0]?.addresses).toEqual(["192.0.2.70"]);
    expect(plan.dropped).toEqual([
      { preference: 10, host: "lan.private.example.test", reason: "refused-addresses", detail: "private,loopback,link-local" },
    ]);
  });

  test("RFC 6890: only refused addresses -> permanent (550 5.4.4); the allow-list lets them through", async () => {
    const e = await expectFailure(resolvePlan("allprivate.example.test", opts()), "address-refused", false, "550 5.4.4");
    expect(e.category).toBe("policy");
    const plan = await resolvePlan("allprivate.example.test", opts({ allowAddresses: ["10.0.0.0/8", "::1", "127.0.0.0/8"] }));
    expect(plan.hosts[0]?.addresses).toEqual(["::ffff:127.0.0.1", "10.0.0.5", "64:ff9b::a00:5", "127.0.0.1"]);
  });
});

describe("rule 10: TTL cache with negative caching (RFC 1035 §3.2.1, RFC 2308)", () => {
  test("RFC 1035 §3.2.1: answers are reused until their TTL passes on the injected clock", async () => {
    let now = 1_000_000;
    const resolver = fakeResolver(zones);
    const o = opts({ resolver, cache: new DnsCache({ defaultTtl: 300 }), clock: () => now });
    await resolvePlan("mx.example.test", o);
    const first = resolver.calls.length;
    await resolvePlan("mx.example.test", o);
    expect(resolver.calls.length).toBe(first);
    // mx2 has TTL 60, mx1 120, MX itself the default 300.
    now += 61_000;
    resolver.calls.length = 0;
    await resolvePlan("mx.example.test", o);
    expect(resolver.calls.sort()).toEqual(["A mx2.mx.example.test", "AAAA mx2.mx.example.test"]);
    now += 300_000;
    resolver.calls.length = 0;
    await resolvePlan("mx.example.test", o);
    expect(resolver.calls).toContain("MX mx.example.test");
  });

  test("RFC 2308 §5: NXDOMAIN and NODATA are cached for negativeTtl", async () => {
    let now = 0;
    const resolver = fakeResolver(zones);
    const o = opts({ resolver, cache: new DnsCache({ negativeTtl: 30 }), clock: () => now });
    await failure(resolvePlan("gone.example.test", o));
    await failure(resolvePlan("gone.example.test", o));
    expect(resolver.calls).toEqual(["MX gone.example.test"]);
    now = 30_000;
    await failure(resolvePlan("gone.example.test", o));
    expect(resolver.calls).toHaveLength(2);
  });

  test("RFC 2308 §7.1: failures are not cached by default", async () => {
    const resolver = fakeResolver(zones);
    const o = opts({ resolver, cache: new DnsCache(), clock: () => 0 });
    await failure(resolvePlan("servfail.example.test", o));
    await failure(resolvePlan("servfail.example.test", o));
    expect(resolver.calls).toEqual(["MX servfail.example.test", "MX servfail.example.test"]);
  });
});

describe("MTA-STS in the plan (RFC 8461 §5)", () => {
  const withPolicy = (mode: string, mx: string[]) => ({
    fetch: async () => ({
      status: 200,
      contentType: "text/plain",
      body: `version: STSv1\nmode: ${mode}\n${mx.map((m) => `mx: ${m}\n`).join("")}max_age: 86400\n`,
    }),
  });
  const z: Zones = { ...zones, "_mta-sts.implicit.example.test": { TXT: [["v=STSv1; id=1"]] } };

  test("RFC 8461 §5.1: enforce listing none of the MX hosts -> temporary failure (451 4.7.5), never a bounce", async () => {
    const e = await expectFailure(resolvePlan("sts.example.test", opts({ mtaSts: withPolicy("enforce", ["*.elsewhere.example"]) })), "mta-sts-mismatch", true, "451 4.7.5");
    expect(e.category).toBe("policy");
  });

  test("RFC 8461 §4.1: with an implicit MX the domain itself is the host checked against the policy", async () => {
    const plan = await resolvePlan("implicit.example.test", opts({ mtaSts: withPolicy("enforce", ["implicit.example.test"]) }, z));
    expect(plan.hosts[0]?.tls).toEqual({ enforce: true, validation: "pkix", source: "mta-sts" });
    await expectFailure(resolvePlan("implicit.example.test", opts({ mtaSts: withPolicy("enforce", ["mx.example.test"]) }, z)), "mta-sts-mismatch", true, "451 4.7.5");
  });

  test("RFC 8461 §5: testing keeps every host and asks to validate TLS without enforcing it", async () => {
    const plan = await resolvePlan("sts.example.test", opts({ mtaSts: withPolicy("testing", ["mx1.sts.example.test"]) }));
    expect(plan.hosts.map((h) => [h.host, h.tls?.enforce])).toEqual([
      ["mx1.sts.example.test", false],
      ["mx2.sts.example.test", false],
      ["relay.other.example", false],
    ]);
    expect(plan.mtaSts?.status === "policy" && plan.mtaSts.hosts.map((h) => h.matches)).toEqual([true, false, false]);
  });

  test("RFC 8461 §5: mode none sets no TLS requirement", async () => {
    const plan = await resolvePlan("sts.example.test", opts({ mtaSts: withPolicy("none", []) }));
    expect(plan.hosts.every((h) => h.tls === undefined)).toBe(true);
    expect(plan.mtaSts).toMatchObject({ status: "policy", mode: "none" });
  });

  test("without the mtaSts option no TXT record is asked for and the plan has no mtaSts", async () => {
    const resolver = fakeResolver(zones);
    const plan = await resolvePlan("sts.example.test", opts({ resolver }));
    expect(plan.mtaSts).toBeUndefined();
    expect(resolver.calls.some((c) => c.startsWith("TXT"))).toBe(false);
  });
});

describe("rule 11: every failure is typed (RFC 5321 §4.2.1, RFC 3463)", () => {
  test("RFC 5321 §5.1 'queued and retried later': a resolver that throws a non-DNS error gives a temporary dns-failure with the error as cause", async () => {
    const boom = new TypeError("bug in a resolver double");
    const resolver: DnsResolver = { ...fakeResolver(zones), resolveMx: async () => Promise.reject(boom) };
    const e = await expectFailure(resolvePlan("mx.example.test", opts({ resolver })), "dns-failure", true, "451 4.4.3");
    expect(e.cause).toBe(boom);
  });
});
