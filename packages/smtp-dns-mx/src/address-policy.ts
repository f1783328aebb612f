/**
 * Which addresses a delivery may go to. A public MX that resolves to 127.0.0.1, 10.0.0.1 or
 * fe80::1 would make the MTA deliver to itself or into the local network (a loop, or a way for
 * anyone who controls a DNS zone to reach internal hosts), so addresses outside the global unicast
 * space are refused unless the caller allows them. The ranges are IANA's special-purpose registries
 * (RFC 6890 and updates) and RFC 4291 §2.4; mapped and translated IPv6 forms are judged by the IPv4
 * address inside them.
 */
import {
  type Cidr,
  cidrContains,
  embeddedIpv4,
  type IpAddress,
  isIpv4Mapped,
  parseCidr,
  parseIp,
} from "./ip.js";

/** Why an address is refused. `"public"` is the only class a delivery may use without an allow-list. */
export type AddressClass =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "multicast"
  | "documentation"
  | "reserved";

interface Range {
  readonly cidr: Cidr;
  readonly cls: Exclude<AddressClass, "public">;
}

function range(text: string, cls: Exclude<AddressClass, "public">): Range {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`bad built-in range ${text}`);
  return { cidr, cls };
}

const IPV4_RANGES: readonly Range[] = [
  range("0.0.0.0/8", "unspecified"), // "this network" (RFC 791, RFC 1122 §3.2.1.3)
  range("10.0.0.0/8", "private"), // RFC 1918
  range("100.64.0.0/10", "private"), // shared address space, carrier-grade NAT (RFC 6598)
  range("127.0.0.0/8", "loopback"), // RFC 1122 §3.2.1.3
  range("169.254.0.0/16", "link-local"), // RFC 3927
  range("172.16.0.0/12", "private"), // RFC 1918
  range("192.0.0.0/24", "reserved"), // IETF protocol assignments (RFC 6890)
  range("192.0.2.0/24", "documentation"), // TEST-NET-1 (RFC 5737)
  range("192.88.99.0/24", "reserved"), // deprecated 6to4 relay anycast (RFC 7526)
  range("192.168.0.0/16", "private"), // RFC 1918
  range("198.18.0.0/15", "reserved"), // benchmarking (RFC 2544)
  range("198.51.100.0/24", "documentation"), // TEST-NET-2 (RFC 5737)
  range("203.0.113.0/24", "documentation"), // TEST-NET-3 (RFC 5737)
  range("224.0.0.0/4", "multicast"), // RFC 5771
  range("240.0.0.0/4", "reserved"), // future use and limited broadcast (RFC 1112, RFC 919)
];

const IPV6_RANGES: readonly Range[] = [
  range("::/128", "unspecified"), // RFC 4291 §2.5.2
  range("::1/128", "loopback"), // RFC 4291 §2.5.3
  range("::/96", "reserved"), // deprecated IPv4-compatible addresses (RFC 4291 §2.5.5.1)
  range("64:ff9b:1::/48", "private"), // local-use IPv4/IPv6 translation (RFC 8215)
  range("100::/64", "reserved"), // discard-only (RFC 6666)
  range("2001::/23", "reserved"), // IETF protocol assignments, Teredo, ORCHID (RFC 2928, RFC 6890)
  range("2001:db8::/32", "documentation"), // RFC 3849
  range("3fff::/20", "documentation"), // RFC 9637
  range("5f00::/16", "reserved"), // SRv6 SIDs (RFC 9602)
  range("fc00::/7", "private"), // unique local (RFC 4193)
  range("fe80::/10", "link-local"), // RFC 4291 §2.5.6
  range("fec0::/10", "private"), // deprecated site-local (RFC 3879)
  range("ff00::/8", "multicast"), // RFC 4291 §2.7
];

const IPV6_GLOBAL_UNICAST = range("2000::/3", "reserved").cidr; // RFC 4291 §2.4
const NAT64_WELL_KNOWN = range("64:ff9b::/96", "reserved").cidr; // RFC 6052 §2.1
const SIX_TO_FOUR = range("2002::/16", "reserved").cidr; // RFC 3056 §2

/**
 * The class of an address: `"public"` or the reason it is refused. IPv4-mapped (`::ffff:a.b.c.d`),
 * NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/48`) addresses take the class of the IPv4
 * address they carry, so `::ffff:127.0.0.1` is loopback. IPv6 outside 2000::/3 is not global
 * unicast (RFC 4291 §2.4) and so `"reserved"` unless listed above.
 */
export function classifyAddress(ip: IpAddress): AddressClass {
  if (ip.family === 4) {
    for (const r of IPV4_RANGES) if (cidrContains(r.cidr, ip)) return r.cls;
    return "public";
  }
  if (isIpv4Mapped(ip) || cidrContains(NAT64_WELL_KNOWN, ip)) return classifyAddress(embeddedIpv4(ip));
  if (cidrContains(SIX_TO_FOUR, ip)) {
    const inner = classifyAddress(embeddedIpv4(ip, 2));
    if (inner !== "public") return inner;
  }
  for (const r of IPV6_RANGES) if (cidrContains(r.cidr, ip)) return r.cls;
  return cidrContains(IPV6_GLOBAL_UNICAST, ip) ? "public" : "reserved";
}

/** Parse an allow-list of CIDR blocks or bare addresses; throws `TypeError` on a malformed entry. */
export function parseAllowList(entries: readonly string[] | undefined): readonly Cidr[] {
  if (entries === undefined) return [];
  return entries.map((entry) => {
    const cidr = typeof entry === "string" ? parseCidr(entry.trim()) : undefined;
    if (cidr === undefined) throw new TypeError(`allowAddresses: not an address or CIDR block: ${String(entry)}`);
    return cidr;
  });
}

/**
 * The refusal reason for an address, or `undefined` when delivery to it is allowed: either it is
 * public, or the address (or the IPv4 address a mapped/NAT64 form carries) is in `allow`.
 */
export function refusalOf(ip: IpAddress, allow: readonly Cidr[]): Exclude<AddressClass, "public"> | undefined {
  const cls = classifyAddress(ip);
  if (cls === "public") return undefined;
  for (const cidr of allow) if (cidrContains(cidr, ip)) return undefined;
  if (ip.family === 6 && (isIpv4Mapped(ip) || cidrContains(NAT64_WELL_KNOWN, ip))) {
    const inner = embeddedIpv4(ip);
    for (const cidr of allow) if (cidrContains(cidr, inner)) return undefined;
  }
  return cls;
}

/** `refusalOf` for text; unparseable text is refused as `"reserved"`. */
export function refusalOfText(address: string, allow: readonly Cidr[]): Exclude<AddressClass, "public"> | undefined {
  const ip = parseIp(address);
  return ip === undefined ? "reserved" : refusalOf(ip, allow);
}
