/**
 * The pure part of RFC 5321 §5.1: from MX records to an ordered list of candidate hosts. No DNS, no
 * clock; randomness comes in as a function so tests can fix it.
 */
import { isHostName, normalizeDnsName } from "./domain-name.js";
import { isIpAddress } from "./ip.js";
import type { MxRecord } from "./resolver.js";

/** A source of numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/** An MX host still in the running. */
export interface MxCandidate {
  readonly preference: number;
  readonly host: string;
}

/** Why an MX record or host is not in the plan. */
export type DropReason =
  /** a `.` target next to other MX records (see `prepareMx`) */
  | "null-mx-mixed"
  /** the target is an IP address, not a name (RFC 5321 §5.1 "MUST contain a domain name") */
  | "ip-address-target"
  /** the target is not an LDH host name */
  | "invalid-name"
  /** the same host again at the same or a worse preference */
  | "duplicate"
  /** this host (by name or address; RFC 5321 §5.1) */
  | "self"
  /** preference equal to or worse than this host's own (RFC 5321 §5.1) */
  | "not-better-than-self"
  /** an MTA-STS policy in enforce mode does not list it (RFC 8461 §4.1) */
  | "mta-sts-mismatch"
  /** beyond `maxHosts` */
  | "over-limit"
  /** NXDOMAIN or NODATA for every address family asked */
  | "no-address"
  /** the address lookups failed (SERVFAIL, timeout, …) and gave nothing */
  | "dns-failure"
  /** every address it has is refused by the address policy */
  | "refused-addresses";

/** An MX record or host left out of the plan, and why. */
export interface DroppedHost {
  readonly preference: number;
  readonly host: string;
  readonly reason: DropReason;
  /** More about the reason: a DNS error code, the refused address class, … */
  readonly detail?: string;
}

/** An index in [0, n) from a random source, robust to sources that return 1 or more. */
function pick(random: RandomSource, n: number): number {
  const r = random();
  const i = Math.floor((Number.isFinite(r) ? Math.abs(r) % 1 : 0) * n);
  return Math.min(i, n - 1);
}

/** Fisher–Yates shuffle in place: each permutation equally likely for a uniform source. */
export function shuffle<T>(items: T[], random: RandomSource): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pick(random, i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
  return items;
}

/**
 * Ascending preference, equal preferences in random order: "MX records contain a preference
 * indication that MUST be used in sorting … If there are multiple destinations with the same
 * preference and there is no clear reason to favor one …, then the sender-SMTP MUST randomize them"
 * (RFC 5321 §5.1).
 */
export function orderByPreference<T extends { readonly preference: number }>(items: readonly T[], random: RandomSource): T[] {
  const sorted = [...items].sort((a, b) => a.preference - b.preference);
  const out: T[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && (sorted[j] as T).preference === (sorted[i] as T).preference) j++;
    out.push(...shuffle(sorted.slice(i, j), random));
    i = j;
  }
  return out;
}

/** The result of `prepareMx`. */
export type PreparedMx =
  | { readonly kind: "null-mx" }
  | { readonly kind: "candidates"; readonly candidates: readonly MxCandidate[]; readonly dropped: readonly DroppedHost[] };

/**
 * From raw MX records to ordered candidates:
 * - a single record whose target is the root (`.`, Node gives `""`) is a null MX (RFC 7505 §3);
 *   RFC 7505 asks for preference 0, but any preference is taken as the same statement, since the
 *   root can never be a mail host;
 * - a root target next to other MX records is dropped as `null-mx-mixed` and the other records are
 *   used: RFC 7505 §3 says a domain with a null MX "MUST NOT" publish other MX records, so such a
 *   set is a misconfiguration, and the real hosts show the domain does take mail — bouncing would
 *   lose it on the strength of a record that contradicts the rest;
 * - a target that is an IP address is dropped (`ip-address-target`), as Postfix does: the data
 *   field "MUST contain a domain name" (RFC 5321 §5.1), and an address there is never looked up;
 * - targets are lower-cased without the root dot; a host listed twice keeps its best preference;
 * - the rest is sorted with equal preferences shuffled (`orderByPreference`).
 */
export function prepareMx(records: readonly MxRecord[], random: RandomSource): PreparedMx {
  if (records.length === 1 && normalizeDnsName((records[0] as MxRecord).exchange) === "") return { kind: "null-mx" };
  const dropped: DroppedHost[] = [];
  const best = new Map<string, number>();
  for (const record of records) {
    const host = normalizeDnsName(record.exchange);
    const preference = record.priority;
    if (host === "") {
      dropped.push({ preference, host: ".", reason: "null-mx-mixed" });
    } else if (isIpAddress(host)) {
      dropped.push({ preference, host, reason: "ip-address-target" });
    } else if (!isHostName(host)) {
      dropped.push({ preference, host, reason: "invalid-name" });
    } else {
      const seen = best.get(host);
      if (seen === undefined) {
        best.set(host, preference);
      } else {
        dropped.push({ preference: Math.max(seen, preference), host, reason: "duplicate" });
        best.set(host, Math.min(seen, preference));
      }
    }
  }
  const candidates = orderByPreference(
    [...best].map(([host, preference]) => ({ preference, host })),
    random,
  );
  return { kind: "candidates", candidates, dropped };
}

/**
 * RFC 5321 §5.1: "The relay host MUST then inspect the list for any of the names or addresses by
 * which it might be known in mail transactions. If a matching record is found, all records at that
 * preference level and higher-numbered ones MUST be discarded from consideration."
 * `isSelf` says which candidates are this host; the result keeps those strictly better than the best
 * of them.
 */
export function cutAtSelf<T extends MxCandidate>(
  ordered: readonly T[],
  isSelf: (candidate: T) => boolean,
): { readonly kept: readonly T[]; readonly dropped: readonly DroppedHost[]; readonly selfFound: boolean } {
  let selfPreference = Number.POSITIVE_INFINITY;
  for (const c of ordered) if (isSelf(c) && c.preference < selfPreference) selfPreference = c.preference;
  if (selfPreference === Number.POSITIVE_INFINITY) return { kept: ordered, dropped: [], selfFound: false };
  const kept: T[] = [];
  const dropped: DroppedHost[] = [];
  for (const c of ordered) {
    if (c.preference < selfPreference) kept.push(c);
    else dropped.push({ preference: c.preference, host: c.host, reason: isSelf(c) ? "self" : "not-better-than-self" });
  }
  return { kept, dropped, selfFound: true };
}
