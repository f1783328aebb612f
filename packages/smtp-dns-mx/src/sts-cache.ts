/**
 * MTA-STS policies by policy domain, kept until `max_age` after they were fetched (RFC 8461 §5.1),
 * and the recent fetch failures that should not be retried at once (RFC 8461 §3.3). Time is passed
 * in; the cache never reads a clock.
 */
import type { StsPolicy } from "./sts-policy.js";

/** A policy as cached: the `id` of the TXT record it was fetched under, and when it expires. */
export interface CachedStsPolicy {
  readonly domain: string;
  readonly id: string;
  readonly policy: StsPolicy;
  /** Milliseconds, from the clock given to `resolvePlan`. */
  readonly fetchedAt: number;
  readonly expiresAt: number;
}

export interface StsPolicyCacheOptions {
  /** Policy domains kept; the least recently used goes first (default 10 000). */
  readonly maxEntries?: number;
  /**
   * Milliseconds after a failed fetch before the same policy id is fetched again (default 5
   * minutes: "implementations may limit further attempts to a period of five minutes or longer per
   * version ID", RFC 8461 §3.3).
   */
  readonly failureBackoff?: number;
}

/** Cache of fetched MTA-STS policies, shared across `resolvePlan` calls. */
export class StsPolicyCache {
  readonly #policies = new Map<string, CachedStsPolicy>();
  readonly #failures = new Map<string, { readonly id: string; readonly until: number }>();
  readonly #maxEntries: number;
  readonly #failureBackoff: number;

  constructor(options: StsPolicyCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError("StsPolicyCache: maxEntries must be an integer >= 1");
    const backoff = options.failureBackoff ?? 300_000;
    if (!Number.isFinite(backoff) || backoff < 0) throw new RangeError("StsPolicyCache: failureBackoff must be >= 0");
    this.#maxEntries = max;
    this.#failureBackoff = backoff;
  }

  get size(): number {
    return this.#policies.size;
  }

  clear(): void {
    this.#policies.clear();
    this.#failures.clear();
  }

  /** The policy for `domain` unless `max_age` has passed since it was fetched. */
  get(domain: string, now: number): CachedStsPolicy | undefined {
    const entry = this.#policies.get(domain);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.#policies.delete(domain);
      return undefined;
    }
    this.#policies.delete(domain);
    this.#policies.set(domain, entry);
    return entry;
  }

  /** Store a freshly fetched policy; a `max_age` of 0 replaces any older policy and is not kept. */
  set(domain: string, id: string, policy: StsPolicy, now: number): CachedStsPolicy {
    const entry: CachedStsPolicy = Object.freeze({ domain, id, policy, fetchedAt: now, expiresAt: now + policy.maxAge * 1000 });
    this.#policies.delete(domain);
    this.#failures.delete(domain);
    if (policy.maxAge > 0) {
      this.#policies.set(domain, entry);
      while (this.#policies.size > this.#maxEntries) this.#policies.delete(this.#policies.keys().next().value as string);
    }
    return entry;
  }

  delete(domain: string): void {
    this.#policies.delete(domain);
    this.#failures.delete(domain);
  }

  /** Remember that fetching policy `id` of `domain` failed at `now`. */
  noteFailure(domain: string, id: string, now: number): void {
    this.#failures.delete(domain);
    this.#failures.set(domain, { id, until: now + this.#failureBackoff });
    while (this.#failures.size > this.#maxEntries) this.#failures.delete(this.#failures.keys().next().value as string);
  }

  /** True while a failed fetch of this policy id should not be retried. */
  inBackoff(domain: string, id: string, now: number): boolean {
    const f = this.#failures.get(domain);
    return f !== undefined && f.id === id && now < f.until;
  }
}
