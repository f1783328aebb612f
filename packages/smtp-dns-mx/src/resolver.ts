/**
 * The resolver seam: the part of `node:dns/promises`'s `Resolver` this package uses, and the
 * translation of its answers and error codes into four outcomes the rules are written against.
 */
import { Resolver } from "node:dns/promises";

/** An MX record as `Resolver#resolveMx` returns it; a null MX (RFC 7505) has `exchange: ""`. */
export interface MxRecord {
  readonly exchange: string;
  readonly priority: number;
}

/** An A or AAAA record as `resolve4`/`resolve6` return it with `{ ttl: true }`. */
export interface AddressRecord {
  readonly address: string;
  readonly ttl: number;
}

/**
 * What this package asks of a resolver: the subset of `node:dns/promises`'s `Resolver` it uses, so
 * a `Resolver` (pointed at any servers) or a test double can be passed. Failures reject with an
 * error whose `code` is one of Node's DNS codes: `ENODATA` (the name exists but has no record of
 * that type), `ENOTFOUND` (NXDOMAIN), and `ESERVFAIL`, `ETIMEOUT`, `ECONNREFUSED`, `EREFUSED`, … for
 * failures. `resolveCname` is optional: without it a CNAME is only followed where the resolver's
 * server follows it (recursive servers do).
 */
export interface DnsResolver {
  resolveMx(hostname: string): Promise<MxRecord[]>;
  resolve4(hostname: string, options: { ttl: true }): Promise<AddressRecord[]>;
  resolve6(hostname: string, options: { ttl: true }): Promise<AddressRecord[]>;
  resolveCname?(hostname: string): Promise<string[]>;
  resolveTxt(hostname: string): Promise<string[][]>;
}

export interface CreateResolverOptions {
  /** `host` or `host:port` entries as for `Resolver#setServers`; default: the system's servers. */
  readonly servers?: readonly string[];
  /** Milliseconds per query attempt (default 5000). */
  readonly timeout?: number;
  /** Attempts per server before giving up (default 2). */
  readonly tries?: number;
}

/** A `node:dns/promises` `Resolver` with bounded timeouts, optionally pointed at given servers. */
export function createResolver(options: CreateResolverOptions = {}): Resolver {
  const resolver = new Resolver({ timeout: options.timeout ?? 5000, tries: options.tries ?? 2 });
  if (options.servers !== undefined) resolver.setServers([...options.servers]);
  return resolver;
}

/**
 * One DNS answer, classified. `nodata` is NOERROR with no record of the type (RFC 2308 §2.2),
 * `nxdomain` is RCODE 3 (RFC 2308 §2.1); every other error is a `failure` that may heal.
 */
export type DnsOutcome<T> =
  | { readonly kind: "answer"; readonly records: T; readonly ttl?: number }
  | { readonly kind: "nodata" }
  | { readonly kind: "nxdomain" }
  | { readonly kind: "failure"; readonly code: string; readonly error: unknown };

/** The record types this package queries, with the shape of their answers. */
export interface DnsAnswers {
  readonly MX: readonly MxRecord[];
  readonly A: readonly AddressRecord[];
  readonly AAAA: readonly AddressRecord[];
  readonly CNAME: readonly string[];
  readonly TXT: readonly (readonly string[])[];
}
export type DnsQueryType = keyof DnsAnswers;

/** Node's codes: ENODATA is NODATA, ENOTFOUND is NXDOMAIN, anything else a failure. */
export function classifyDnsError(error: unknown): DnsOutcome<never> {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === "ENODATA") return { kind: "nodata" };
  if (code === "ENOTFOUND") return { kind: "nxdomain" };
  return { kind: "failure", code: typeof code === "string" ? code : "EUNKNOWN", error };
}

/** Ask the resolver and classify the result; an empty answer is NODATA (c-ares gives `[]` for a CNAME with no data behind it). */
export async function query<K extends DnsQueryType>(
  resolver: DnsResolver,
  type: K,
  name: string,
): Promise<DnsOutcome<DnsAnswers[K]>> {
  let records: readonly unknown[];
  let ttl: number | undefined;
  try {
    switch (type) {
      case "MX":
        records = await resolver.resolveMx(name);
        break;
      case "A":
      case "AAAA": {
        const found = await (type === "A" ? resolver.resolve4(name, { ttl: true }) : resolver.resolve6(name, { ttl: true }));
        records = found;
        for (const r of found) ttl = ttl === undefined ? r.ttl : Math.min(ttl, r.ttl);
        break;
      }
      case "CNAME":
        if (resolver.resolveCname === undefined) return { kind: "nodata" };
        records = await resolver.resolveCname(name);
        break;
      default:
        records = await resolver.resolveTxt(name);
    }
  } catch (error) {
    return classifyDnsError(error);
  }
  if (!Array.isArray(records) || records.length === 0) return { kind: "nodata" };
  const frozen = Object.freeze([...records]) as unknown as DnsAnswers[K];
  return ttl === undefined ? { kind: "answer", records: frozen } : { kind: "answer", records: frozen, ttl };
}
