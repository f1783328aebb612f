import { isIPv4, isIPv6 } from "node:net";

/** A parsed address block: the network's 16 octets (IPv4 as IPv4-mapped IPv6) and its prefix length over them. */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/**
 * `address [ "/" prefix ]` for IPv4 (RFC 4632) and IPv6 (RFC 4291 §2.3). IPv4 is held as
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) so that a dual-stack socket's
 * "::ffff:127.0.0.1" matches "127.0.0.0/8". Throws RangeError for anything else.
 */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf("/");
  const addr = slash === -1 ? text : text.slice(0, slash);
  const bytes = addressBytes(addr);
  if (bytes === undefined) throw new RangeError(`Not an IP address or CIDR block: ${JSON.stringify(text)}`);
  const v4 = isIPv4(addr);
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max) {
      throw new RangeError(`Bad prefix length in ${JSON.stringify(text)}`);
    }
    prefix = Number(p);
  }
  return { bytes, prefix: v4 ? prefix + 96 : prefix };
}

/** Whether `address` (IPv4, IPv6 or IPv4-mapped IPv6 text) lies in any of `blocks`. */
export function matchesCidr(address: string, blocks: readonly Cidr[]): boolean {
  const bytes = addressBytes(address);
  if (bytes === undefined) return false;
  for (const b of blocks) if (inBlock(bytes, b)) return true;
  return false;
}

function inBlock(bytes: Uint8Array, block: Cidr): boolean {
  const full = block.prefix >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== block.bytes[i]) return false;
  const bits = block.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((bytes[full] as number) & mask) === ((block.bytes[full] as number) & mask);
}

/** 16 octets for an IPv4 (mapped) or IPv6 address in text form; undefined when it is neither. */
export function addressBytes(addr: string): Uint8Array | undefined {
  if (isIPv4(addr)) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    const parts = addr.split(".");
    for (let i = 0; i < 4; i++) out[12 + i] = Number(parts[i]);
    return out;
  }
  if (!isIPv6(addr)) return undefined;
  // Zone ids (fe80::1%eth0) do not take part in matching.
  const text = addr.includes("%") ? addr.slice(0, addr.indexOf("%")) : addr;
  const out = new Uint8Array(16);
  let groups: string[];
  const dbl = text.indexOf("::");
  let tail: string[] = [];
  if (dbl === -1) groups = text.split(":");
  else {
    groups = dbl === 0 ? [] : text.slice(0, dbl).split(":");
    tail = dbl + 2 === text.length ? [] : text.slice(dbl + 2).split(":");
  }
  const words = (list: string[]): number[] => {
    const ws: number[] = [];
    for (const g of list) {
      if (g.includes(".")) {
        const p = g.split(".").map(Number) as [number, number, number, number];
        ws.push((p[0] << 8) | p[1], (p[2] << 8) | p[3]);
      } else ws.push(Number.parseInt(g, 16));
    }
    return ws;
  };
  const head = words(groups);
  const end = words(tail);
  const all = [...head, ...new Array<number>(8 - head.length - end.length).fill(0), ...end];
  for (let i = 0; i < 8; i++) {
    const w = all[i] as number;
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  }
  return out;
}
