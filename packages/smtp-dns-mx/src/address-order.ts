/**
 * The order in which a host's addresses are tried. RFC 5321 §5.1 leaves it to "the domain name
 * resolver interface" ("the SMTP sender MUST try them in the order presented"); this is that
 * interface's choice: one family first, optionally alternating the families as Happy Eyeballs does
 * (RFC 8305 §4), so a cap on addresses per host keeps both families.
 */

/** Which address families go into the plan. */
export type IpFamilies = "both" | "ipv4" | "ipv6";

/** Which family comes first when both are present. */
export type PreferredFamily = "ipv6" | "ipv4";

export interface AddressOrderOptions {
  readonly prefer: PreferredFamily;
  /** Alternate the families (first of the preferred one), instead of all of one then the other. */
  readonly interleave: boolean;
  /** At most this many addresses. */
  readonly max: number;
}

/**
 * Merge a host's IPv4 and IPv6 addresses, each list in the order the resolver gave it: the preferred
 * family first, alternating when `interleave` is set, without duplicates, at most `max`.
 */
export function orderAddresses(ipv4: readonly string[], ipv6: readonly string[], options: AddressOrderOptions): string[] {
  const [first, second] = options.prefer === "ipv6" ? [ipv6, ipv4] : [ipv4, ipv6];
  const merged: string[] = [];
  if (options.interleave) {
    for (let i = 0; i < Math.max(first.length, second.length); i++) {
      if (i < first.length) merged.push(first[i] as string);
      if (i < second.length) merged.push(second[i] as string);
    }
  } else {
    merged.push(...first, ...second);
  }
  return [...new Set(merged)].slice(0, options.max);
}
