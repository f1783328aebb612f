/**
 * A resolver double with the same semantics as the loopback DNS server (same zones, same answer
 * function), failing with Node's error codes. Slow answers become ETIMEOUT at once: unit tests never
 * wait. Every call is logged. Test-only: not exported from the package.
 */
import type { AddressRecord, DnsResolver, MxRecord } from "../resolver.js";
import { answerFrom, type RecordType, type Zones } from "./zones.js";

const ERROR_CODE: Record<string, string> = {
  FORMERR: "EFORMERR",
  SERVFAIL: "ESERVFAIL",
  NXDOMAIN: "ENOTFOUND",
  NOTIMP: "ENOTIMP",
  REFUSED: "EREFUSED",
};

/** An error shaped like the ones `node:dns/promises` rejects with. */
export function dnsError(code: string, syscall: string, hostname: string): Error {
  return Object.assign(new Error(`${syscall} ${code} ${hostname}`), { code, syscall, hostname });
}

export interface FakeResolver extends DnsResolver {
  /** `TYPE name` for every call, in order. */
  readonly calls: string[];
}

export function fakeResolver(zones: Zones, options: { readonly withCname?: boolean } = {}): FakeResolver {
  const calls: string[] = [];
  const ask = async (type: RecordType, name: string, syscall: string) => {
    calls.push(`${type} ${name}`);
    const a = answerFrom(zones, name, type);
    if (a.delayMs > 0) throw dnsError("ETIMEOUT", syscall, name);
    const code = ERROR_CODE[a.rcode];
    if (code !== undefined) throw dnsError(code, syscall, name);
    const own = a.answers.filter((r) => r.type === type);
    if (own.length === 0) throw dnsError("ENODATA", syscall, name);
    return own;
  };
  const resolver: FakeResolver = {
    calls,
    async resolveMx(name): Promise<MxRecord[]> {
      const rs = await ask("MX", name, "queryMx");
      return rs.map((r) => {
        const d = r.data as { preference: number; exchange: string };
        return { priority: d.preference, exchange: d.exchange.replace(/^\.$/, "") };
      });
    },
    async resolve4(name): Promise<AddressRecord[]> {
      return (await ask("A", name, "queryA")).map((r) => ({ address: r.data as string, ttl: r.ttl }));
    },
    async resolve6(name): Promise<AddressRecord[]> {
      return (await ask("AAAA", name, "queryAaaa")).map((r) => ({ address: r.data as string, ttl: r.ttl }));
    },
    async resolveTxt(name): Promise<string[][]> {
      return (await ask("TXT", name, "queryTxt")).map((r) => [...(r.data as readonly string[])]);
    },
  };
  if (options.withCname !== false) {
    resolver.resolveCname = async (name) => (await ask("CNAME", name, "queryCname")).map((r) => r.data as string);
  }
  return resolver;
}
