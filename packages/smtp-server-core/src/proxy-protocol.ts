/**
 * The PROXY protocol header of HAProxy (versions 1 and 2, "The PROXY protocol", haproxy.org
 * proxy-protocol.txt), as a pure parser over the first octets of a connection.
 *
 *   v1: "PROXY" SP ( "TCP4" / "TCP6" ) SP src SP dst SP sport SP dport CRLF
 *       / "PROXY" SP "UNKNOWN" *( %x20-7E ) CRLF          ; at most 107 octets in all (§2.1)
 *   v2: sig(12) ver_cmd(1) fam(1) len(2, network order) addresses(len) ; sig = \r\n\r\n\0\r\nQUIT\n (§2.2)
 *
 * Nothing here trusts the sender: the server calls it only for peers in `proxyProtocol.trustedFrom`.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface ProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface ProxyHeader {
  readonly version: 1 | 2;
  /** "LOCAL" (v2 health checks) and v1 "UNKNOWN" carry no addresses: use the real peer. */
  readonly command: "PROXY" | "LOCAL";
  readonly family: "TCP4" | "TCP6" | "UDP4" | "UDP6" | "UNIX" | "UNKNOWN";
  readonly source?: ProxyEndpoint;
  readonly destination?: ProxyEndpoint;
}

export type ProxyParseResult =
  | { readonly status: "incomplete" }
  | { readonly status: "done"; readonly header: ProxyHeader; readonly consumed: number }
  | { readonly status: "invalid"; readonly reason: string };

const V1_MAX = 107;
const V2_SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const V1_SIG = [0x50, 0x52, 0x4f, 0x58, 0x59, 0x20]; // "PROXY "
const INCOMPLETE: ProxyParseResult = Object.freeze({ status: "incomplete" });
/** Default cap on a v2 header, addresses and TLVs included. */
export const MAX_PROXY_HEADER = 4096;

/**
 * Read a PROXY header at the start of `buf`. "incomplete" asks for more octets (the same answer
 * whatever the split); "invalid" means the peer is not speaking the protocol or exceeded
 * `maxSize`: close the connection. `consumed` octets belong to the header; the rest is the
 * client's stream.
 */
export function parseProxyHeader(buf: Uint8Array, maxSize = MAX_PROXY_HEADER): ProxyParseResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] === 0x0d) return parseV2(buf, maxSize);
  if (buf[0] === 0x50) return parseV1(buf);
  return invalid("not a PROXY protocol header");
}

function invalid(reason: string): ProxyParseResult {
  return { status: "invalid", reason };
}

function prefixMatches(buf: Uint8Array, sig: readonly number[]): boolean {
  const n = Math.min(buf.length, sig.length);
  for (let i = 0; i < n; i++) if (buf[i] !== sig[i]) return false;
  return true;
}

function parseV1(buf: Uint8Array): ProxyParseResult {
  if (!prefixMatches(buf, V1_SIG)) return invalid("not a PROXY protocol header");
  const limit = Math.min(buf.length, V1_MAX);
  let lf = -1;
  for (let i = V1_SIG.length; i < limit; i++) {
    if (buf[i] === 0x0a) {
      lf = i;
      break;
    }
  }
  if (lf === -1) return buf.length >= V1_MAX ? invalid("PROXY v1 header longer than 107 octets") : INCOMPLETE;
  if (buf[lf - 1] !== 0x0d) return invalid("PROXY v1 header not ended by CRLF");
  let text = "";
  for (let i = 0; i < lf - 1; i++) {
    const c = buf[i] as number;
    if (c < 0x20 || c > 0x7e) return invalid("control or non-ASCII octet in PROXY v1 header");
    text += String.fromCharCode(c);
  }
  const parts = text.split(" ");
  const consumed = lf + 1;
  if (parts[1] === "UNKNOWN") return { status: "done", consumed, header: { version: 1, command: "PROXY", family: "UNKNOWN" } };
  if (parts.length !== 6) return invalid("PROXY v1 header needs 6 fields");
  const [, family, src, dst, sport, dport] = parts as [string, string, string, string, string, string];
  if (family !== "TCP4" && family !== "TCP6") return invalid("PROXY v1 family is not TCP4, TCP6 or UNKNOWN");
  const isIp = family === "TCP4" ? isIPv4 : isIPv6;
  if (!isIp(src) || !isIp(dst)) return invalid(`PROXY v1 addresses are not ${family}`);
  const sp = port(sport);
  const dp = port(dport);
  if (sp === undefined || dp === undefined) return invalid("PROXY v1 port is not 0-65535");
  return {
    status: "done",
    consumed,
    header: { version: 1, command: "PROXY", family, source: { address: src, port: sp }, destination: { address: dst, port: dp } },
  };
}

/** A port as the v1 spec writes it: decimal, no leading zero, 0-65535. */
function port(s: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

function parseV2(buf: Uint8Array, maxSize: number): ProxyParseResult {
  if (!prefixMatches(buf, V2_SIG)) return invalid("not a PROXY protocol header");
  if (buf.length < 16) return INCOMPLETE;
  const verCmd = buf[12] as number;
  if (verCmd >> 4 !== 2) return invalid("PROXY v2 version is not 2");
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return invalid("PROXY v2 command is not LOCAL or PROXY");
  const fam = buf[13] as number;
  const len = ((buf[14] as number) << 8) | (buf[15] as number);
  const total = 16 + len;
  if (total > maxSize) return invalid(`PROXY v2 header of ${total} octets exceeds ${maxSize}`);
  if (buf.length < total) return INCOMPLETE;
  if (cmd === 0) return { status: "done", consumed: total, header: { version: 2, command: "LOCAL", family: "UNKNOWN" } };
  const af = fam >> 4;
  const proto = fam & 0x0f;
  if (proto > 2) return invalid("PROXY v2 transport is not STREAM or DGRAM");
  const family = familyName(af, proto);
  if (family === undefined) return invalid("PROXY v2 address family is not UNSPEC, INET, INET6 or UNIX");
  const done = (source?: ProxyEndpoint, destination?: ProxyEndpoint): ProxyParseResult => ({
    status: "done",
    consumed: total,
    header:
      source === undefined || destination === undefined
        ? { version: 2, command: "PROXY", family }
        : { version: 2, command: "PROXY", family, source, destination },
  });
  const u16 = (at: number) => ((buf[at] as number) << 8) | (buf[at + 1] as number);
  if (af === 1) {
    if (len < 12) return invalid("PROXY v2 INET addresses need 12 octets");
    return done({ address: ipv4(buf, 16), port: u16(24) }, { address: ipv4(buf, 20), port: u16(26) });
  }
  if (af === 2) {
    if (len < 36) return invalid("PROXY v2 INET6 addresses need 36 octets");
    return done({ address: ipv6(buf, 16), port: u16(48) }, { address: ipv6(buf, 32), port: u16(50) });
  }
  // UNSPEC and UNIX: no usable IP endpoint; the real peer stands.
  return done();
}

function familyName(af: number, proto: number): ProxyHeader["family"] | undefined {
  if (af === 0) return "UNKNOWN";
  if (af === 3) return "UNIX";
  if (af === 1) return proto === 2 ? "UDP4" : "TCP4";
  if (af === 2) return proto === 2 ? "UDP6" : "TCP6";
  return undefined;
}

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text: lower-case hex, the longest run (>= 2) of zero groups as "::". */
export function ipv6(b: Uint8Array, at: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(((b[at + 2 * i] as number) << 8) | (b[at + 2 * i + 1] as number));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((x) => x.toString(16)).join(":");
  if (best === -1) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}
