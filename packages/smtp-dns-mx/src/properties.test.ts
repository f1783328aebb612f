/**
 * Properties of resolvePlan over arbitrary MX sets: the plan is sorted by preference, holds every
 * host that has a usable address exactly once (at its best preference) with exactly its usable
 * addresses, and never a refused address; when no host is usable the failure is typed and says
 * whether to retry. Checked with the fake resolver, and a smaller run through Node's real
 * resolver against the loopback DNS server.
 */
import { fc, test } from "@fast-check/vitest";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { refusalOfText } from "./address-policy.js";
import { MxResolutionError } from "./errors.js";
import { canonicalIp } from "./ip.js";
import type { DnsResolver } from "./resolver.js";
import { resolvePlan } from "./resolve-plan.js";
import { type DnsFixtureServer, startDnsServer } from "./test-support/dns-server.js";
import { fakeResolver } from "./test-support/fake-resolver.js";
import { seededRandom } from "./test-support/random.js";
import type { ZoneNode, Zones } from "./test-support/zones.js";

const HOSTS = ["a.mx.prop.test", "b.mx.prop.test", "c.mx.prop.test", "d.mx.prop.test", "e.mx.prop.test", "f.other.test"];
const SPECIAL_V4 = ["10.1.2.3", "127.0.0.1", "169.254.1.1", "192.168.0.1", "0.0.0.0", "100.64.0.1", "224.0.0.1", "8.8.8.8", "1.1.1.1"];
const SPECIAL_V6 = ["::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:8.8.4.4", "64:ff9b::a00:1", "64:ff9b::808:808", "2606:4700::1111", "2a00:1450::1"];

const v4Arb = fc.oneof(fc.ipV4(), fc.constantFrom(...SPECIAL_V4));
// dns-packet writes AAAA from any RFC 4291 text; keep to the plain hex forms c-ares would print back.
const v6Arb = fc.oneof(fc.ipV6().filter((a) => !a.includes(".")), fc.constantFrom(...SPECIAL_V6));
type HostData = { readonly kind: "addresses"; readonly A: string[]; readonly AAAA: string[] } | { readonly kind: "servfail" } | { readonly kind: "nxdomain" };
const hostDataArb: fc.Arbitrary<HostData> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("addresses" as const), A: fc.array(v4Arb, { maxLength: 3 }), AAAA: fc.array(v6Arb, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "servfail" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "nxdomain" as const }) },
);
const scenarioArb = fc.record({
  mx: fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom(...HOSTS)), { minLength: 1, maxLength: 10 }),
  hosts: fc.tuple(...HOSTS.map(() => hostDataArb)),
  seed: fc.integer(),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function zonesOf(s: Scenario): Zones {
  const zones: Record<string, ZoneNode> = { "prop.test": { MX: s.mx } };
  HOSTS.forEach((h, i) => {
    const d = s.hosts[i] as HostData;
    if (d.kind === "addresses") zones[h] = { A: d.A, AAAA: d.AAAA };
    else if (d.kind === "servfail") zones[h] = { rcode: "SERVFAIL" };
  });
  return zones;
}

async function checkProperty(s: Scenario, resolver: DnsResolver): Promise<void> {
  const best = new Map<string, number>();
  for (const [p, h] of s.mx) best.set(h, Math.min(p, best.get(h) ?? p));
  const usable = new Map<string, Set<string>>();
  let onlyRefused = true;
  for (const host of best.keys()) {
    const d = s.hosts[HOSTS.indexOf(host)] as HostData;
    if (d.kind !== "addresses" || d.A.length + d.AAAA.length === 0) {
      onlyRefused = false;
      continue;
    }
    const ok = new Set([...d.A, ...d.AAAA].filter((a) => refusalOfText(a, []) === undefined).map((a) => canonicalIp(a) as string));
    if (ok.size > 0) usable.set(host, ok);
  }

  let plan: Awaited<ReturnType<typeof resolvePlan>>;
  try {
    plan = await resolvePlan("prop.test", { resolver, random: seededRandom(s.seed), maxHosts: 100, maxAddressesPerHost: 100 });
  } catch (e) {
    if (!MxResolutionError.isInstance(e)) throw e;
    expect(usable.size).toBe(0);
    expect(e.code).toBe(onlyRefused ? "address-refused" : "no-usable-host");
    expect(e.temporary).toBe(!onlyRefused);
    return;
  }
  // Sorted by preference.
  for (let i = 1; i < plan.hosts.length; i++) {
    expect((plan.hosts[i - 1] as { preference: number }).preference).toBeLessThanOrEqual((plan.hosts[i] as { preference: number }).preference);
  }
  // Every usable host once, at its best preference, with exactly its usable addresses.
  expect(plan.hosts.map((h) => h.host).sort()).toEqual([...usable.keys()].sort());
  for (const h of plan.hosts) {
    expect(h.preference).toBe(best.get(h.host));
    expect(new Set(h.addresses)).toEqual(usable.get(h.host));
    expect(h.addresses).toHaveLength(new Set(h.addresses).size);
    // Never a refused address.
    for (const a of h.addresses) expect(refusalOfText(a, [])).toBeUndefined();
  }
}

describe("properties of resolvePlan (RFC 5321 §5.1, RFC 6890)", () => {
  test.prop([scenarioArb], { numRuns: 300 })("arbitrary MX sets, fake resolver", async (s) => {
    await checkProperty(s, fakeResolver(zonesOf(s)));
  });

  test.prop([fc.string({ maxLength: 300 })], { numRuns: 300 })("arbitrary input never escapes as anything but MxResolutionError", async (domain) => {
    try {
      await resolvePlan(domain, { resolver: fakeResolver({}) });
    } catch (e) {
      expect(MxResolutionError.isInstance(e)).toBe(true);
    }
  });
});

describe("properties of resolvePlan over real DNS", () => {
  let server: DnsFixtureServer;
  beforeAll(async () => {
    server = await startDnsServer({});
  });
  afterAll(async () => {
    await server.close();
  });

  test.prop([scenarioArb], { numRuns: 25 })("arbitrary MX sets served by the loopback DNS server", async (s) => {
    server.setZones(zonesOf(s));
    await checkProperty(s, server.resolver());
  });
});
