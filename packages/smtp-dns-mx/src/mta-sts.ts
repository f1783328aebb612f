/**
 * MTA-STS (RFC 8461): which policy applies to a domain now — discovery through the TXT record, the
 * cache, and a fetch when the policy id changed — and what it says about each MX host.
 */
import type { DnsOutcome } from "./resolver.js";
import type { CachedStsPolicy, StsPolicyCache } from "./sts-cache.js";
import { checkStsResponse, MAX_STS_POLICY_BYTES, type StsPolicyFetcher, stsPolicyRequest } from "./sts-fetch.js";
import { matchesMxPattern, type StsMode, type StsPolicy } from "./sts-policy.js";
import { selectStsRecord } from "./sts-record.js";

/** Why no MTA-STS policy applies (delivery goes on as without MTA-STS: opportunistic TLS). */
export type StsNoPolicyReason =
  /** no `v=STSv1` TXT record at `_mta-sts.<domain>` (NXDOMAIN, NODATA, or none that starts so) */
  | "no-record"
  /** more than one `v=STSv1` record (RFC 8461 §3.1) */
  | "multiple-records"
  /** the `v=STSv1` record does not parse */
  | "invalid-record"
  /** the TXT lookup failed (SERVFAIL, timeout, …) */
  | "dns-failure"
  /** the HTTPS fetch failed (network, TLS, status, media type, size), or failed recently for this id */
  | "fetch-failed"
  /** the policy file does not parse */
  | "invalid-policy";

/** The policy in force for a domain, or why there is none. */
export type StsPolicyState =
  | { readonly status: "none"; readonly reason: StsNoPolicyReason; readonly detail?: string }
  | {
      readonly status: "policy";
      readonly id: string;
      readonly policy: StsPolicy;
      /** `fetched` now, or taken from the cache (unchanged id, or kept because a refresh failed). */
      readonly source: "fetched" | "cache";
      /** Set when a cached policy was used because discovery or refresh failed, with the reason. */
      readonly note?: string;
    };

/** What a policy says about one MX host. */
export interface StsHostVerdict {
  readonly host: string;
  /** The host matches one of the policy's `mx` patterns (RFC 8461 §4.1). */
  readonly matches: boolean;
  /** `skip` only under `enforce` for a host that does not match; otherwise `deliver`. */
  readonly action: "deliver" | "skip";
  /** Under `enforce`: deliver only over TLS with a certificate valid for the host (RFC 8461 §4.2). */
  readonly requireTls: boolean;
}

/** The MTA-STS part of a delivery plan. */
export type StsVerdict =
  | { readonly status: "none"; readonly reason: StsNoPolicyReason; readonly detail?: string }
  | {
      readonly status: "policy";
      readonly mode: StsMode;
      readonly id: string;
      readonly maxAge: number;
      readonly mx: readonly string[];
      readonly source: "fetched" | "cache";
      readonly note?: string;
      readonly hosts: readonly StsHostVerdict[];
    };

export interface StsDiscoveryContext {
  /** TXT lookup, already classified (and cached, when `resolvePlan` has a DNS cache). */
  readonly txt: (name: string) => Promise<DnsOutcome<readonly (readonly string[])[]>>;
  readonly fetch: StsPolicyFetcher;
  readonly cache: StsPolicyCache;
  readonly clock: () => number;
  readonly maxBytes?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * RFC 8461 §5.1 "Policy Application Control Flow", discovery half:
 * - look up `_mta-sts.<domain>` TXT and take its `id` when there is exactly one valid record;
 * - a cached policy whose `max_age` has not run out and whose id equals the record's is used as it is;
 * - a new id (or no cached policy) means a fetch; a valid policy replaces the cached one;
 * - when the record is missing or the fetch fails, an unexpired cached policy stays in force ("absence
 *   of a usable TXT record is not by itself sufficient to remove a sender's previously cached
 *   policy", §3.1), and without one there is no policy;
 * - a failed fetch is not retried for the same id until the cache's back-off has passed (§3.3).
 * Never rejects.
 */
export async function discoverStsPolicy(domain: string, ctx: StsDiscoveryContext): Promise<StsPolicyState> {
  const txt = await ctx.txt(`_mta-sts.${domain}`);
  let id: string | undefined;
  let missing: { readonly reason: StsNoPolicyReason; readonly detail?: string } = { reason: "no-record" };
  if (txt.kind === "answer") {
    const selected = selectStsRecord(txt.records);
    if (selected.kind === "record") id = selected.record.id;
    else if (selected.kind === "multiple") missing = { reason: "multiple-records" };
    else if (selected.kind === "invalid") missing = { reason: "invalid-record" };
  } else if (txt.kind === "failure") {
    missing = { reason: "dns-failure", detail: txt.code };
  }

  const cached = ctx.cache.get(domain, ctx.clock());
  const fromCache = (entry: CachedStsPolicy, note?: string): StsPolicyState =>
    note === undefined
      ? { status: "policy", id: entry.id, policy: entry.policy, source: "cache" }
      : { status: "policy", id: entry.id, policy: entry.policy, source: "cache", note };

  if (id === undefined) {
    if (cached !== undefined) return fromCache(cached, `TXT record: ${missing.reason}; the cached policy stays in force`);
    return missing.detail === undefined
      ? { status: "none", reason: missing.reason }
      : { status: "none", reason: missing.reason, detail: missing.detail };
  }
  if (cached !== undefined && cached.id === id) return fromCache(cached);

  const failed = (reason: "fetch-failed" | "invalid-policy", detail: string): StsPolicyState => {
    ctx.cache.noteFailure(domain, id, ctx.clock());
    if (cached !== undefined) return fromCache(cached, `refreshing to id ${id} failed (${detail}); the cached policy stays in force`);
    return { status: "none", reason, detail };
  };
  if (ctx.cache.inBackoff(domain, id, ctx.clock())) {
    if (cached !== undefined) return fromCache(cached, `a recent fetch of id ${id} failed; the cached policy stays in force`);
    return { status: "none", reason: "fetch-failed", detail: `a recent fetch of id ${id} failed; not retried yet` };
  }

  let response: Awaited<ReturnType<StsPolicyFetcher>>;
  try {
    response = await ctx.fetch(stsPolicyRequest(domain));
  } catch (error) {
    return failed("fetch-failed", describe(error));
  }
  const checked = checkStsResponse(response, ctx.maxBytes ?? MAX_STS_POLICY_BYTES);
  if (!checked.ok) {
    return failed(checked.reason, checked.error);
  }
  ctx.cache.set(domain, id, checked.policy, ctx.clock());
  return { status: "policy", id, policy: checked.policy, source: "fetched" };
}

/**
 * The verdict for each MX host (RFC 8461 §4.1, §5): under `enforce` a host that matches no `mx`
 * pattern is skipped and every other needs TLS with a valid certificate; under `testing` every host
 * is used and failures are only reported; `none` is a policy that says nothing.
 */
export function stsVerdict(state: StsPolicyState, hosts: readonly string[]): StsVerdict {
  if (state.status === "none") return state;
  const { policy } = state;
  const verdicts = hosts.map((host): StsHostVerdict => {
    const matches = policy.mx.some((p) => matchesMxPattern(p, host));
    const enforce = policy.mode === "enforce";
    return { host, matches, action: enforce && !matches ? "skip" : "deliver", requireTls: enforce };
  });
  const base = {
    status: "policy" as const,
    mode: policy.mode,
    id: state.id,
    maxAge: policy.maxAge,
    mx: policy.mx,
    source: state.source,
    hosts: verdicts,
  };
  return state.note === undefined ? base : { ...base, note: state.note };
}
