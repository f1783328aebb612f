/**
 * Test zones: the data the loopback DNS server serves and the fake resolver answers from, and the
 * one function that decides an answer, so both behave alike. Answers are what a recursive resolver
 * would give: CNAMEs are followed inside the data and come back in the answer section.
 * Test-only: not exported from the package.
 */
import { readFileSync } from "node:fs";

export type Rcode = "NOERROR" | "FORMERR" | "SERVFAIL" | "NXDOMAIN" | "NOTIMP" | "REFUSED";
export type RecordType = "MX" | "A" | "AAAA" | "CNAME" | "TXT";

/** One owner name. Any name not in the zones is NXDOMAIN. */
export interface ZoneNode {
  readonly MX?: readonly (readonly [number, string])[];
  readonly A?: readonly string[];
  readonly AAAA?: readonly string[];
  readonly CNAME?: string;
  /** One entry per TXT record, each a list of character-strings. */
  readonly TXT?: readonly (readonly string[])[];
  /** TTL of every record of this name (default 300). */
  readonly ttl?: number;
  /** Answer with this RCODE instead, for every type or per type. */
  readonly rcode?: Rcode | Partial<Record<RecordType, Rcode>>;
  /** Hold the answer this long (milliseconds), for every type or per type: a slow server. */
  readonly delayMs?: number | Partial<Record<RecordType, number>>;
  /** Over UDP, answer with the TC bit and no records, so the client retries over TCP (RFC 1035 §4.2.1). */
  readonly truncate?: boolean;
}

export type Zones = Readonly<Record<string, ZoneNode>>;

export interface ZoneRecord {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly data: string | readonly string[] | { readonly preference: number; readonly exchange: string };
}

export interface ZoneAnswer {
  readonly rcode: Rcode;
  readonly answers: readonly ZoneRecord[];
  readonly delayMs: number;
  readonly truncate: boolean;
}

/** CNAME links a recursive resolver follows before it gives up with SERVFAIL. */
const MAX_CHASE = 8;

function perType<T>(value: T | Partial<Record<RecordType, T>> | undefined, type: RecordType): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "object" && value !== null) return (value as Partial<Record<RecordType, T>>)[type];
  return value as T;
}

/** The answer to `name`/`type` from `zones`, as a recursive resolver would give it. */
export function answerFrom(zones: Zones, qname: string, type: RecordType): ZoneAnswer {
  const answers: ZoneRecord[] = [];
  let name = qname.toLowerCase().replace(/\.$/, "");
  const first = zones[name];
  const delayMs = perType(first?.delayMs, type) ?? 0;
  const truncate = first?.truncate === true;
  for (let hops = 0; ; hops++) {
    const node = zones[name];
    if (node === undefined) return { rcode: "NXDOMAIN", answers, delayMs, truncate };
    const rcode = perType(node.rcode, type);
    if (rcode !== undefined) return { rcode, answers, delayMs, truncate };
    const ttl = node.ttl ?? 300;
    if (type !== "CNAME" && node.CNAME !== undefined) {
      if (hops >= MAX_CHASE) return { rcode: "SERVFAIL", answers: [], delayMs, truncate };
      answers.push({ name, type: "CNAME", ttl, data: node.CNAME });
      name = node.CNAME.toLowerCase().replace(/\.$/, "");
      continue;
    }
    switch (type) {
      case "MX":
        for (const [preference, exchange] of node.MX ?? []) answers.push({ name, type, ttl, data: { preference, exchange } });
        break;
      case "A":
        for (const a of node.A ?? []) answers.push({ name, type, ttl, data: a });
        break;
      case "AAAA":
        for (const a of node.AAAA ?? []) answers.push({ name, type, ttl, data: a });
        break;
      case "CNAME":
        if (node.CNAME !== undefined) answers.push({ name, type, ttl, data: node.CNAME });
        break;
      case "TXT":
        for (const t of node.TXT ?? []) answers.push({ name, type, ttl, data: t });
        break;
    }
    return { rcode: "NOERROR", answers, delayMs, truncate };
  }
}

/** The zones in `test/fixtures/zones.json`. */
export function fixtureZones(): Zones {
  const url = new URL("../../test/fixtures/zones.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Zones;
}
