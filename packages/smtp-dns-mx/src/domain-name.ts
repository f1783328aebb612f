/**
 * Domain names as the resolver needs them: IDNA to A-labels, one spelling per name, and RFC 5321
 * address literals, which skip DNS.
 */
import { domainToASCII } from "node:url";
import { formatIp, type IpAddress, parseIpv4, parseIpv6 } from "./ip.js";

/** RFC 1035 §2.3.4: a label is at most 63 octets, a name at most 255 on the wire (253 as text). */
const MAX_LABEL = 63;
const MAX_NAME = 253;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * A host name in A-label form: LDH labels (RFC 952, RFC 1123 §2.1; letters, digits, hyphens, not at
 * either end of a label), 1–63 octets each, at most 253 in all, and a last label that is not all
 * digits (RFC 1123 §2.1: a top-level label is alphabetic, so `192.0.2.1` is an address, not a name).
 * Expects lower case and no trailing dot.
 */
export function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME) return false;
  const labels = name.split(".");
  for (const label of labels) {
    if (label.length > MAX_LABEL || !LDH_LABEL.test(label)) return false;
  }
  return !/^[0-9]+$/.test(labels[labels.length - 1] as string);
}

/**
 * The A-label form of a domain (RFC 5890), lower case, without a trailing dot, or `undefined` when
 * it is not a valid host name.
 *
 * U-labels go through UTS #46 processing with non-transitional rules (IDNA2008 behaviour: `ß`
 * stays `ß`, so `faß.de` is `xn--fa-hia.de`, not `fass.de`) — that is what Node's
 * `url.domainToASCII` does. It also maps full-width characters and case, and rejects invalid
 * Punycode. It does NOT check DNS length and LDH rules, and it treats a name whose last label is
 * numeric (`1.2.3.4`, `0x7f.1`) as an IPv4 address to rewrite; both are checked here instead.
 */
export function toAsciiDomain(input: string): string | undefined {
  if (typeof input !== "string" || input.length === 0 || input.length > 1024) return undefined;
  // One trailing dot is the DNS root (an absolute name); it carries no meaning for mail.
  const name = input.endsWith(".") ? input.slice(0, -1) : input;
  if (name.length === 0 || name.includes("..") || name.startsWith(".")) return undefined;
  const lastLabel = name.slice(name.lastIndexOf(".") + 1);
  // WHATWG URL host parsing would turn these into IPv4 addresses ("127.1" -> "127.0.0.1").
  if (/^(?:[0-9]+|0[xX][0-9a-fA-F]*)$/.test(lastLabel)) return undefined;
  // ASCII-only input needs no IDNA: lower-case it ourselves, so that names the URL parser would
  // rewrite or accept leniently (percent signs, underscores) are judged by the LDH rule alone.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  const ascii = /^[\x00-\x7f]*$/.test(name) ? name.toLowerCase() : domainToASCII(name);
  if (ascii === "" || ascii.endsWith(".")) return undefined;
  // Punycode labels must decode: domainToASCII checks that for U-label input; for A-label input
  // given directly, a round trip through it does the same check.
  if (ascii.split(".").some((l) => l.startsWith("xn--")) && domainToASCII(ascii) !== ascii) return undefined;
  return isHostName(ascii) ? ascii : undefined;
}

/** The host name in an MX record or CNAME target: lower case, without the root dot. */
export function normalizeDnsName(name: string): string {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  return trimmed.toLowerCase();
}

/** A parsed RFC 5321 §4.1.3 address literal. */
export interface AddressLiteral {
  /** The literal in canonical form: `[192.0.2.1]`, `[IPv6:2001:db8::1]`. */
  readonly literal: string;
  readonly ip: IpAddress;
  /** The address in canonical text (RFC 5952 for IPv6). */
  readonly address: string;
}

const SNUM = /^[0-9]{1,3}$/;
const HEX = /^[0-9A-Fa-f]{1,4}$/;

/** `IPv4-address-literal = Snum 3("." Snum)`, `Snum = 1*3DIGIT` with a value 0–255. */
function ipv4Literal(text: string): IpAddress | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => SNUM.test(p))) return undefined;
  // Snum is decimal with optional leading zeros ("representing a decimal integer value").
  return parseIpv4(parts.map((p) => String(Number(p))).join("."));
}

/**
 * `IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp` (RFC 5321 §4.1.3). Stricter than
 * RFC 4291: `::` must stand for at least two groups ("at most 6 groups in addition" to it), and the
 * IPv4 tail needs exactly six groups before it, or at most four with `::`.
 */
function ipv6Literal(text: string): IpAddress | undefined {
  const lastColon = text.lastIndexOf(":");
  const withV4 = text.slice(lastColon + 1).includes(".");
  const hexPart = withV4 ? text.slice(0, lastColon + 1) : text;
  let v4Tail = "";
  if (withV4) {
    if (ipv4Literal(text.slice(lastColon + 1)) === undefined) return undefined;
    v4Tail = text.slice(lastColon + 1);
  }
  const fullGroups = withV4 ? 6 : 8;
  const maxCompGroups = withV4 ? 4 : 6;
  const halves = hexPart.split("::");
  if (halves.length === 1) {
    // IPv6-full / IPv6v4-full: exactly the full number of groups (with v4, "a:b:c:d:e:f:" + v4).
    const groups = withV4 ? hexPart.slice(0, -1).split(":") : hexPart.split(":");
    if (groups.length !== fullGroups || !groups.every((g) => HEX.test(g))) return undefined;
  } else if (halves.length === 2) {
    const [head, tail] = halves as [string, string];
    const tailText = withV4 ? tail.slice(0, -1) : tail;
    if (withV4 && tail !== "" && !tail.endsWith(":")) return undefined;
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tailText === "" ? [] : tailText.split(":");
    if (![...headGroups, ...tailGroups].every((g) => HEX.test(g))) return undefined;
    if (headGroups.length + tailGroups.length > maxCompGroups) return undefined;
  } else {
    return undefined;
  }
  const normalisedV4 = withV4 ? ipv4Literal(v4Tail) : undefined;
  return parseIpv6(withV4 && normalisedV4 ? `${hexPart}${formatIp(normalisedV4)}` : hexPart);
}

/**
 * `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"`
 * (RFC 5321 §4.1.3), with `IPv6-address-literal = "IPv6:" IPv6-addr` (the tag is case-insensitive).
 * Returns `undefined` for malformed literals and for General-address-literals, which name no
 * address this resolver could deliver to.
 */
export function parseAddressLiteral(text: string): AddressLiteral | undefined {
  if (text.length < 3 || !text.startsWith("[") || !text.endsWith("]")) return undefined;
  const inner = text.slice(1, -1);
  if (/^ipv6:/i.test(inner)) {
    const ip = ipv6Literal(inner.slice(5));
    if (ip === undefined) return undefined;
    const address = formatIp(ip);
    return { literal: `[IPv6:${address}]`, ip, address };
  }
  const ip = ipv4Literal(inner);
  if (ip === undefined) return undefined;
  const address = formatIp(ip);
  return { literal: `[${address}]`, ip, address };
}
