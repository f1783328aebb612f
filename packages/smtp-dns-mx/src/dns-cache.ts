/**
 * A DNS answer cache that respects TTLs, caches negative answers (RFC 2308) and reads time only from
 * the clock it is given, so expiry is testable without waiting.
 */
import type { DnsAnswers, DnsOutcome, DnsQueryType } from "./resolver.js";

export interface DnsCacheOptions {
  /** Entries kept; the least recently used goes first (default 10 000). */
  readonly maxEntries?: number;
  /**
   * Seconds an answer without a TTL is kept: Node reports TTLs for A and AAAA only, so MX, CNAME
   * and TXT answers use this (default 300).
   */
  readonly defaultTtl?: number;
  /**
   * Seconds NXDOMAIN and NODATA are kept (RFC 2308 §5; Node does not expose the SOA minimum that
   * would bound it, default 300).
   */
  readonly negativeTtl?: number;
  /**
   * Seconds a failure (SERVFAIL, timeout, …) is kept. Default 0: not cached, the next delivery
   * attempt asks again. RFC 2308 §7.1 caps it at five minutes, and so does this cache.
   */
  readonly failureTtl?: number;
  /** Upper bound for any TTL, in seconds (default 86 400). */
  readonly maxTtl?: number;
}

interface Entry {
  readonly outcome: DnsOutcome<unknown>;
  readonly expires: number;
}

/** RFC 2308 §7.1: server failures "MUST NOT be cached for longer than five (5) minutes". */
const MAX_FAILURE_TTL = 300;

function seconds(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`DnsCache: ${name} must be a finite number >= 0`);
  return v;
}

/** TTL-respecting cache of classified DNS outcomes, shared across `resolvePlan` calls. */
export class DnsCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<DnsOutcome<unknown>>>();
  readonly #maxEntries: number;
  readonly #defaultTtl: number;
  readonly #negativeTtl: number;
  readonly #failureTtl: number;
  readonly #maxTtl: number;

  constructor(options: DnsCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError("DnsCache: maxEntries must be an integer >= 1");
    this.#maxEntries = max;
    this.#maxTtl = seconds(options.maxTtl, 86_400, "maxTtl");
    this.#defaultTtl = seconds(options.defaultTtl, 300, "defaultTtl");
    this.#negativeTtl = seconds(options.negativeTtl, 300, "negativeTtl");
    this.#failureTtl = Math.min(seconds(options.failureTtl, 0, "failureTtl"), MAX_FAILURE_TTL);
  }

  /** Number of entries, expired ones included until they are next looked at or evicted. */
  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /** The cached outcome for a query at time `now` (milliseconds), or `undefined` when absent or expired. */
  get<K extends DnsQueryType>(type: K, name: string, now: number): DnsOutcome<DnsAnswers[K]> | undefined {
    const key = `${type} ${name}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.expires) {
      this.#entries.delete(key);
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.outcome as DnsOutcome<DnsAnswers[K]>;
  }

  /** Store an outcome received at `now`; its lifetime follows from its kind and TTL. */
  set<K extends DnsQueryType>(type: K, name: string, outcome: DnsOutcome<DnsAnswers[K]>, now: number): void {
    const ttl = this.ttlOf(outcome);
    const key = `${type} ${name}`;
    this.#entries.delete(key);
    if (ttl <= 0) return;
    this.#entries.set(key, { outcome, expires: now + ttl * 1000 });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Seconds an outcome may be kept. */
  ttlOf(outcome: DnsOutcome<unknown>): number {
    switch (outcome.kind) {
      case "answer":
        return Math.min(outcome.ttl ?? this.#defaultTtl, this.#maxTtl);
      case "nodata":
      case "nxdomain":
        return Math.min(this.#negativeTtl, this.#maxTtl);
      default:
        return this.#failureTtl;
    }
  }

  /**
   * The cached outcome, or the result of `ask()` stored for next time. Concurrent lookups of the same
   * query share one `ask()`.
   */
  async lookup<K extends DnsQueryType>(
    type: K,
    name: string,
    clock: () => number,
    ask: () => Promise<DnsOutcome<DnsAnswers[K]>>,
  ): Promise<DnsOutcome<DnsAnswers[K]>> {
    const cached = this.get(type, name, clock());
    if (cached !== undefined) return cached;
    const key = `${type} ${name}`;
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending as Promise<DnsOutcome<DnsAnswers[K]>>;
    const asked = ask().then(
      (outcome) => {
        this.set(type, name, outcome, clock());
        return outcome;
      },
      (error: unknown): DnsOutcome<DnsAnswers[K]> => ({ kind: "failure", code: "EUNKNOWN", error }),
    );
    this.#pending.set(key, asked);
    try {
      return await asked;
    } finally {
      this.#pending.delete(key);
    }
  }
}
