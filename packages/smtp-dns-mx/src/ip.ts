/**
 * IP addresses as bytes: parsing, canonical text (RFC 5952) and CIDR blocks. The address policy and
 * the self-address check compare bytes, never strings, so `2001:DB8::1`, `2001:db8:0::1` and
 * `::ffff:192.0.2.1` / `192.0.2.1` are recognised as the same host.
 */

export type IpFamily = 4 | 6;

/** An address: 4 bytes for IPv4, 16 for IPv6. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
}

/** A CIDR block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a full-length block. */
export interface Cidr {
  readonly family: IpFamily;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

const DEC_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/**
 * IPv4 dotted quad: four decimal octets 0–255. Leading zeros are refused, because some stacks
 * read them as octal (`010` = 8) and the two readings must not disagree about a refused range.
 */
export function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!DEC_OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return { family: 4, bytes };
}

/**
 * IPv6 text form (RFC 4291 §2.2): eight 16-bit hex groups, one `::` for a run of zero groups, and an
 * optional dotted quad in the last 32 bits. Zone identifiers (`fe80::1%eth0`) are refused: a mail
 * host is never addressed by a zone.
 */
export function parseIpv6(text: string): IpAddress | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : (halves[0] as string).split(":");
  const tail = halves.length === 2 ? (halves[1] === "" ? [] : (halves[1] as string).split(":")) : [];
  const groups: number[] = [];
  const tailGroups: number[] = [];
  const readGroups = (parts: string[], into: number[], mayEndInIpv4: boolean): boolean => {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      if (mayEndInIpv4 && i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return false;
        const b = v4.bytes;
        into.push(((b[0] as number) << 8) | (b[1] as number), ((b[2] as number) << 8) | (b[3] as number));
        continue;
      }
      if (!HEX_GROUP.test(part)) return false;
      into.push(Number.parseInt(part, 16));
    }
    return true;
  };
  if (halves.length === 2) {
    if (!readGroups(head, groups, false) || !readGroups(tail, tailGroups, true)) return undefined;
    // "::" stands for at least one zero group (RFC 4291 §2.2 item 2).
    if (groups.length + tailGroups.length > 7) return undefined;
    while (groups.length + tailGroups.length < 8) groups.push(0);
    groups.push(...tailGroups);
  } else {
    if (!readGroups(head, groups, true) || groups.length !== 8) return undefined;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return { family: 6, bytes };
}

/** Either family; `undefined` for anything that is not an IP address. */
export function parseIp(text: string): IpAddress | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

/** True when `text` is an IPv4 or IPv6 address in text form. */
export function isIpAddress(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
export function embeddedIpv4(ip: IpAddress, offset = 12): IpAddress {
  return { family: 4, bytes: ip.bytes.slice(offset, offset + 4) };
}

/** `::ffff:a.b.c.d`, the IPv4-mapped form (RFC 4291 §2.5.5.2). */
export function isIpv4Mapped(ip: IpAddress): boolean {
  if (ip.family !== 6) return false;
  for (let i = 0; i < 10; i++) if (ip.bytes[i] !== 0) return false;
  return ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;
}

/**
 * Canonical text: dotted quad for IPv4; RFC 5952 for IPv6 (lower case, no leading zeros, the longest
 * run of two or more zero groups as `::`, the first on a tie), with IPv4-mapped addresses written
 * `::ffff:192.0.2.1` (RFC 5952 §5).
 */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (isIpv4Mapped(ip)) return `::ffff:${formatIp(embeddedIpv4(ip))}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[2 * i] as number) << 8) | (b[2 * i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Canonical text of an address given as text, or `undefined` when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

/** `address[/prefix]`; the address part is cleared of host bits, so `10.1.2.3/8` is `10.0.0.0/8`. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  const bytes = ip.bytes.slice();
  for (let bit = prefix; bit < max; bit++) bytes[bit >> 3] = (bytes[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return { family: ip.family, bytes, prefix };
}

/** True when `ip` lies inside `cidr` (same family only). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const full = cidr.prefix >> 3;
  for (let i = 0; i < full; i++) if (cidr.bytes[i] !== ip.bytes[i]) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip.bytes[full] as number) & mask) === cidr.bytes[full];
}

/** Same address, compared by bytes; an IPv4-mapped IPv6 address equals its IPv4 address. */
export function sameIp(a: IpAddress, b: IpAddress): boolean {
  const x = isIpv4Mapped(a) ? embeddedIpv4(a) : a;
  const y = isIpv4Mapped(b) ? embeddedIpv4(b) : b;
  if (x.family !== y.family) return false;
  for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return false;
  return true;
}
