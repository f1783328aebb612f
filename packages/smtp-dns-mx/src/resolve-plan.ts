/**
 * `resolvePlan`: the shell that asks DNS (and, when asked to, the MTA-STS policy host) and hands the
 * answers to the pure rules in `mx-order.ts`, `address-order.ts`, `address-policy.ts` and
 * `mta-sts.ts`. Resolver, clock, randomness and fetcher are all passed in.
 */
import { type IpFamilies, orderAddresses, type PreferredFamily } from "./address-order.js";
import { type AddressClass, parseAllowList, refusalOf } from "./address-policy.js";
import type { DnsCache } from "./dns-cache.js";
import { normalizeDnsName, parseAddressLiteral, toAsciiDomain } from "./domain-name.js";
import { MxResolutionError } from "./errors.js";
import { type Cidr, formatIp, type IpAddress, parseIp, sameIp } from "./ip.js";
import { discoverStsPolicy, type StsVerdict, stsVerdict } from "./mta-sts.js";
import { cutAtSelf, type DroppedHost, type MxCandidate, prepareMx, type RandomSource } from "./mx-order.js";
import type { DeliveryPlan, PlanHost, TlsPolicy } from "./plan.js";
import {
  createResolver,
  type DnsAnswers,
  type DnsOutcome,
  type DnsQueryType,
  type DnsResolver,
  type MxRecord,
  query,
} from "./resolver.js";
import { StsPolicyCache } from "./sts-cache.js";
import { createHttpsPolicyFetcher, type StsPolicyFetcher } from "./sts-fetch.js";

/** MTA-STS checking (RFC 8461). */
export interface MtaStsOptions {
  /** Fetches policy files; default `createHttpsPolicyFetcher` over the plan's resolver and allow-list. */
  readonly fetch?: StsPolicyFetcher;
  /** Policies kept across calls; without one every call with a policy id fetches the policy. */
  readonly cache?: StsPolicyCache;
  /** Milliseconds for the default fetcher (default 60 000). */
  readonly timeout?: number;
  /** Largest policy file in octets (default 64 KiB). */
  readonly maxBytes?: number;
}

export interface ResolvePlanOptions {
  /** The DNS resolver; default `createResolver({ servers, timeout, tries })`, a `node:dns/promises` Resolver. */
  readonly resolver?: DnsResolver;
  /** Servers for the default resolver (`host` or `host:port`); ignored when `resolver` is given. */
  readonly servers?: readonly string[];
  /** Per-attempt timeout in milliseconds for the default resolver (default 5000). */
  readonly timeout?: number;
  /** Attempts per server for the default resolver (default 2). */
  readonly tries?: number;
  /** Random source for shuffling equal preferences (default `Math.random`). */
  readonly random?: RandomSource;
  /** Milliseconds now, for cache expiry (default `Date.now`). */
  readonly clock?: () => number;
  /** DNS answers kept across calls; default none (every call asks the resolver). */
  readonly cache?: DnsCache;
  /** Names this host is known by; an MX listing one of them cuts itself and every worse MX (RFC 5321 §5.1). */
  readonly selfNames?: readonly string[];
  /** Addresses of this host, for the same check by address. */
  readonly selfAddresses?: readonly string[];
  /** CIDR blocks (or single addresses) allowed although not public: for tests and local setups. */
  readonly allowAddresses?: readonly string[];
  /** MX hosts considered, best first; the rest are dropped as `over-limit` before any address lookup (default 10). */
  readonly maxHosts?: number;
  /** Addresses kept per host (default 8). */
  readonly maxAddressesPerHost?: number;
  /** Address families looked up and planned (default `"both"`: A and AAAA). */
  readonly ipFamilies?: IpFamilies;
  /** Family tried first (default `"ipv6"`). */
  readonly preferFamily?: PreferredFamily;
  /** Alternate the families within a host's addresses (default true). */
  readonly interleave?: boolean;
  /** CNAME links followed from the domain before giving up (default 8). */
  readonly maxCnameHops?: number;
  /** Check MTA-STS (default off: it makes HTTPS requests). `true` uses the defaults. */
  readonly mtaSts?: boolean | MtaStsOptions;
}

interface Context {
  readonly resolver: DnsResolver;
  readonly lookup: <K extends DnsQueryType>(type: K, name: string) => Promise<DnsOutcome<DnsAnswers[K]>>;
  readonly random: RandomSource;
  readonly clock: () => number;
  readonly selfNames: ReadonlySet<string>;
  readonly selfAddresses: readonly IpAddress[];
  readonly allow: readonly Cidr[];
  readonly maxHosts: number;
  readonly maxAddressesPerHost: number;
  readonly families: readonly (4 | 6)[];
  readonly preferFamily: PreferredFamily;
  readonly interleave: boolean;
  readonly maxCnameHops: number;
  readonly sts: { readonly fetch: StsPolicyFetcher; readonly cache: StsPolicyCache; readonly maxBytes?: number } | undefined;
}

function count(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new RangeError(`resolvePlan: ${name} must be an integer >= ${min}`);
  return v;
}

function context(options: ResolvePlanOptions): Context {
  const resolver =
    options.resolver ??
    createResolver({
      ...(options.servers !== undefined ? { servers: options.servers } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.tries !== undefined ? { tries: options.tries } : {}),
    });
  const clock = options.clock ?? Date.now;
  const cache = options.cache;
  const lookup = <K extends DnsQueryType>(type: K, name: string): Promise<DnsOutcome<DnsAnswers[K]>> =>
    cache === undefined ? query(resolver, type, name) : cache.lookup(type, name, clock, () => query(resolver, type, name));
  const selfNames = new Set<string>();
  for (const name of options.selfNames ?? []) {
    const ascii = toAsciiDomain(name);
    if (ascii === undefined) throw new TypeError(`resolvePlan: selfNames: not a host name: ${String(name)}`);
    selfNames.add(ascii);
  }
  const selfAddresses = (options.selfAddresses ?? []).map((a) => {
    const ip = typeof a === "string" ? parseIp(a.trim()) : undefined;
    if (ip === undefined) throw new TypeError(`resolvePlan: selfAddresses: not an IP address: ${String(a)}`);
    return ip;
  });
  const families = options.ipFamilies ?? "both";
  if (families !== "both" && families !== "ipv4" && families !== "ipv6") throw new TypeError("resolvePlan: ipFamilies must be both, ipv4 or ipv6");
  const preferFamily = options.preferFamily ?? "ipv6";
  if (preferFamily !== "ipv4" && preferFamily !== "ipv6") throw new TypeError("resolvePlan: preferFamily must be ipv4 or ipv6");
  let sts: Context["sts"];
  if (options.mtaSts !== undefined && options.mtaSts !== false) {
    const o: MtaStsOptions = options.mtaSts === true ? {} : options.mtaSts;
    const fetch =
      o.fetch ??
      createHttpsPolicyFetcher({
        resolver,
        ...(options.allowAddresses !== undefined ? { allowAddresses: options.allowAddresses } : {}),
        ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
        ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
      });
    sts = { fetch, cache: o.cache ?? new StsPolicyCache(), ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}) };
  }
  return {
    resolver,
    lookup,
    random: options.random ?? Math.random,
    clock,
    selfNames,
    selfAddresses,
    allow: parseAllowList(options.allowAddresses),
    maxHosts: count(options.maxHosts, 10, "maxHosts", 1),
    maxAddressesPerHost: count(options.maxAddressesPerHost, 8, "maxAddressesPerHost", 1),
    families: families === "both" ? [4, 6] : families === "ipv4" ? [4] : [6],
    preferFamily,
    interleave: options.interleave ?? true,
    maxCnameHops: count(options.maxCnameHops, 8, "maxCnameHops", 0),
    sts,
  };
}

const show = (value: unknown): string => JSON.stringify(String(value).slice(0, 100));

function dnsFailure(domain: string, what: string, outcome: { readonly code: string; readonly error: unknown }): MxResolutionError {
  return new MxResolutionError("dns-failure", domain, `${what}: ${outcome.code}`, { cause: outcome.error });
}

type FoundMx =
  | { readonly kind: "records"; readonly records: readonly MxRecord[] }
  | { readonly kind: "implicit"; readonly host: string };

/**
 * RFC 5321 §5.1: "The lookup first attempts to locate an MX record associated with the name. If a
 * CNAME record is found, the resulting name is processed as if it were the initial name. If a
 * non-existent domain error is returned, this situation MUST be reported as an error. If a temporary
 * error is returned, the message MUST be queued and retried later … If an empty list of MXs is
 * returned, the address is treated as if it was associated with an implicit MX RR, with a preference
 * of 0, pointing to that host."
 * A recursive resolver follows the CNAME itself and returns the target's MX records; when it
 * returns none, the CNAME is looked up here so the implicit MX is the canonical name.
 */
async function findMx(domain: string, ctx: Context): Promise<FoundMx> {
  let name = domain;
  const seen = new Set([name]);
  for (;;) {
    const mx = await ctx.lookup("MX", name);
    if (mx.kind === "answer") return { kind: "records", records: mx.records };
    if (mx.kind === "nxdomain") {
      throw new MxResolutionError("domain-not-found", domain, name === domain ? `${domain} does not exist (NXDOMAIN)` : `${domain} is an alias of ${name}, which does not exist (NXDOMAIN)`);
    }
    if (mx.kind === "failure") throw dnsFailure(domain, `MX lookup of ${name} failed`, mx);
    const cname = await ctx.lookup("CNAME", name);
    if (cname.kind === "failure") throw dnsFailure(domain, `CNAME lookup of ${name} failed`, cname);
    if (cname.kind !== "answer") return { kind: "implicit", host: name };
    const target = normalizeDnsName(cname.records[0] as string);
    if (seen.has(target) || seen.size > ctx.maxCnameHops) {
      throw new MxResolutionError("dns-failure", domain, `CNAME chain from ${domain} loops or is longer than ${ctx.maxCnameHops} links (at ${target})`);
    }
    seen.add(target);
    name = target;
  }
}

interface ResolvedHost extends MxCandidate {
  readonly addresses: readonly string[];
  readonly refused: readonly AddressClass[];
  readonly failures: readonly string[];
  readonly isSelf: boolean;
}

/** A and/or AAAA for one host, with the address policy and the self check applied. */
async function resolveHost(candidate: MxCandidate, ctx: Context): Promise<ResolvedHost> {
  const outcomes = await Promise.all(ctx.families.map((f) => ctx.lookup(f === 4 ? "A" : "AAAA", candidate.host)));
  const byFamily: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const refused: AddressClass[] = [];
  const failures: string[] = [];
  let isSelf = false;
  outcomes.forEach((outcome, i) => {
    if (outcome.kind === "failure") failures.push(outcome.code);
    if (outcome.kind !== "answer") return;
    for (const record of outcome.records) {
      const ip = parseIp(record.address);
      if (ip === undefined) {
        refused.push("reserved");
        continue;
      }
      if (ctx.selfAddresses.some((s) => sameIp(s, ip))) isSelf = true;
      const why = refusalOf(ip, ctx.allow);
      if (why === undefined) byFamily[ctx.families[i] as 4 | 6].push(formatIp(ip));
      else refused.push(why);
    }
  });
  const addresses = orderAddresses(byFamily[4], byFamily[6], {
    prefer: ctx.preferFamily,
    interleave: ctx.interleave,
    max: ctx.maxAddressesPerHost,
  });
  return { ...candidate, addresses, refused, failures, isSelf };
}

function droppedFor(host: ResolvedHost): DroppedHost {
  const base = { preference: host.preference, host: host.host };
  if (host.failures.length > 0) return { ...base, reason: "dns-failure", detail: [...new Set(host.failures)].join(",") };
  if (host.refused.length > 0) return { ...base, reason: "refused-addresses", detail: [...new Set(host.refused)].join(",") };
  return { ...base, reason: "no-address" };
}

function describeDropped(dropped: readonly DroppedHost[]): string {
  return dropped.map((d) => `${d.host} (${d.reason}${d.detail === undefined ? "" : ` ${d.detail}`})`).join(", ");
}

function tlsFor(verdict: StsVerdict | undefined): TlsPolicy | undefined {
  if (verdict === undefined || verdict.status !== "policy" || verdict.mode === "none") return undefined;
  return { enforce: verdict.mode === "enforce", validation: "pkix", source: "mta-sts" };
}

async function mtaStsVerdict(domain: string, hosts: readonly string[], ctx: Context): Promise<StsVerdict | undefined> {
  if (ctx.sts === undefined) return undefined;
  const state = await discoverStsPolicy(domain, {
    txt: (name) => ctx.lookup("TXT", name),
    fetch: ctx.sts.fetch,
    cache: ctx.sts.cache,
    clock: ctx.clock,
    ...(ctx.sts.maxBytes !== undefined ? { maxBytes: ctx.sts.maxBytes } : {}),
  });
  return stsVerdict(state, hosts);
}

function plan(
  domain: string,
  implicitMx: boolean,
  hosts: readonly ResolvedHost[],
  dropped: readonly DroppedHost[],
  verdict: StsVerdict | undefined,
): DeliveryPlan {
  const tls = tlsFor(verdict);
  const planHosts = hosts.map(
    (h): PlanHost =>
      tls === undefined
        ? { preference: h.preference, host: h.host, addresses: h.addresses }
        : { preference: h.preference, host: h.host, addresses: h.addresses, tls },
  );
  const base = { domain, implicitMx, hosts: planHosts, dropped };
  return verdict === undefined ? base : { ...base, mtaSts: verdict };
}

/** RFC 5321 §4.1.3 address literal: no DNS; the address policy and the self check still apply. */
function planForLiteral(input: string, ctx: Context): DeliveryPlan {
  const literal = parseAddressLiteral(input);
  if (literal === undefined) throw new MxResolutionError("invalid-domain", input, `not a valid address literal: ${show(input)}`);
  const domain = literal.literal;
  if (ctx.selfAddresses.some((s) => sameIp(s, literal.ip))) {
    throw new MxResolutionError("mx-loop", domain, `${domain} is an address of this host`);
  }
  if (!ctx.families.includes(literal.ip.family)) {
    throw new MxResolutionError("address-refused", domain, `${domain} is IPv${literal.ip.family}, excluded by ipFamilies`);
  }
  const why = refusalOf(literal.ip, ctx.allow);
  if (why !== undefined) throw new MxResolutionError("address-refused", domain, `${domain} is a ${why} address`);
  return { domain, implicitMx: true, hosts: [{ preference: 0, host: domain, addresses: [literal.address] }], dropped: [] };
}

async function planForImplicit(domain: string, host: string, ctx: Context): Promise<DeliveryPlan> {
  if (ctx.selfNames.has(host)) throw new MxResolutionError("mx-loop", domain, `${domain} has no MX and ${host} is this host`);
  const verdict = await mtaStsVerdict(domain, [host], ctx);
  if (verdict?.status === "policy" && verdict.hosts[0]?.action === "skip") {
    throw new MxResolutionError("mta-sts-mismatch", domain, `MTA-STS policy ${verdict.id} (enforce) does not list ${host}`);
  }
  const resolved = await resolveHost({ preference: 0, host }, ctx);
  if (resolved.isSelf) throw new MxResolutionError("mx-loop", domain, `${domain} has no MX and ${host} resolves to this host`);
  if (resolved.addresses.length === 0) {
    const d = droppedFor(resolved);
    if (d.reason === "dns-failure") throw new MxResolutionError("dns-failure", domain, `address lookup of ${host} failed: ${d.detail}`);
    if (d.reason === "refused-addresses") throw new MxResolutionError("address-refused", domain, `${host} has only refused addresses (${d.detail})`);
    throw new MxResolutionError("no-address", domain, `${domain} has no MX records and ${host} has no address records`);
  }
  return plan(domain, true, [resolved], [], verdict);
}

async function planForMx(domain: string, records: readonly MxRecord[], ctx: Context): Promise<DeliveryPlan> {
  const prepared = prepareMx(records, ctx.random);
  if (prepared.kind === "null-mx") throw new MxResolutionError("null-mx", domain, `${domain} publishes a null MX: it accepts no mail (RFC 7505)`);
  const dropped: DroppedHost[] = [...prepared.dropped];

  const byName = cutAtSelf(prepared.candidates, (c) => ctx.selfNames.has(c.host));
  dropped.push(...byName.dropped);
  if (byName.kept.length === 0) {
    if (byName.selfFound) throw new MxResolutionError("mx-loop", domain, `this host is the best MX of ${domain}`);
    throw new MxResolutionError("no-usable-host", domain, `no MX record of ${domain} names a usable host: ${describeDropped(dropped)}`);
  }

  let candidates = byName.kept;
  const verdict = await mtaStsVerdict(domain, candidates.map((c) => c.host), ctx);
  if (verdict?.status === "policy" && verdict.mode === "enforce") {
    const skipped = new Set(verdict.hosts.filter((h) => h.action === "skip").map((h) => h.host));
    for (const c of candidates) if (skipped.has(c.host)) dropped.push({ preference: c.preference, host: c.host, reason: "mta-sts-mismatch" });
    candidates = candidates.filter((c) => !skipped.has(c.host));
    if (candidates.length === 0) {
      throw new MxResolutionError("mta-sts-mismatch", domain, `MTA-STS policy ${verdict.id} (enforce) lists none of the MX hosts of ${domain}`);
    }
  }
  for (const c of candidates.slice(ctx.maxHosts)) dropped.push({ preference: c.preference, host: c.host, reason: "over-limit" });
  const resolved = await Promise.all(candidates.slice(0, ctx.maxHosts).map((c) => resolveHost(c, ctx)));

  const byAddress = cutAtSelf(resolved, (h) => h.isSelf);
  dropped.push(...byAddress.dropped);
  const hosts: ResolvedHost[] = [];
  const unresolved: DroppedHost[] = [];
  for (const h of byAddress.kept) {
    if (h.addresses.length > 0) hosts.push(h);
    else unresolved.push(droppedFor(h));
  }
  dropped.push(...unresolved);
  if (hosts.length === 0) {
    if (byAddress.selfFound && byAddress.kept.length === 0) {
      throw new MxResolutionError("mx-loop", domain, `this host (by address) is the best MX of ${domain}`);
    }
    if (unresolved.length > 0 && unresolved.every((d) => d.reason === "refused-addresses")) {
      throw new MxResolutionError("address-refused", domain, `every MX host of ${domain} has only refused addresses: ${describeDropped(unresolved)}`);
    }
    throw new MxResolutionError("no-usable-host", domain, `no MX host of ${domain} has an address: ${describeDropped(dropped)}`);
  }
  return plan(domain, false, hosts, dropped, verdict);
}

/**
 * Where mail for `domain` goes: its MX hosts in the order to try, each with its addresses, or an
 * `MxResolutionError` saying whether to retry (`temporary`) or bounce, with the reply to use.
 *
 * `domain` is a domain name (U-labels are converted to A-labels) or an RFC 5321 address literal
 * (`[192.0.2.1]`, `[IPv6:2001:db8::1]`). The rules, each with its RFC section, are listed in the
 * package README.
 */
export async function resolvePlan(domain: string, options: ResolvePlanOptions = {}): Promise<DeliveryPlan> {
  const ctx = context(options);
  if (typeof domain === "string" && domain.startsWith("[")) return planForLiteral(domain, ctx);
  const ascii = typeof domain === "string" ? toAsciiDomain(domain) : undefined;
  if (ascii === undefined) throw new MxResolutionError("invalid-domain", String(domain), `not a valid domain name: ${show(domain)}`);
  const found = await findMx(ascii, ctx);
  return found.kind === "implicit" ? planForImplicit(ascii, found.host, ctx) : planForMx(ascii, found.records, ctx);
}
