/** The delivery plan: where mail for a domain goes, in the order to try. */
import type { StsVerdict } from "./mta-sts.js";
import type { DroppedHost } from "./mx-order.js";

/**
 * How TLS to a host is to be checked. Today only MTA-STS sets it; the shape leaves room for DANE
 * (RFC 7672), which would add `validation: "dane"` with the host's TLSA records and
 * `source: "dane"`, and take precedence where present (RFC 8461 §2).
 */
export interface TlsPolicy {
  /** True: deliver only over TLS that passes validation (MTA-STS `enforce`). False: validate and report, but deliver anyway (`testing`). */
  readonly enforce: boolean;
  /** PKIX: a certificate chaining to a trusted root, not expired, valid for the MX host name (RFC 8461 §4.2). */
  readonly validation: "pkix";
  readonly source: "mta-sts";
}

/** One MX host with its addresses in the order to try. */
export interface PlanHost {
  readonly preference: number;
  /** Host name in A-label form; for an address literal, the literal itself (`[192.0.2.1]`). */
  readonly host: string;
  /** Addresses, canonical text, never empty. */
  readonly addresses: readonly string[];
  /** Set when a policy (MTA-STS) says how TLS to this host is checked; absent means opportunistic TLS. */
  readonly tls?: TlsPolicy;
}

export interface DeliveryPlan {
  /** The domain resolved: A-label form, lower case, no trailing dot; or the canonical address literal. */
  readonly domain: string;
  /** True when there were no MX records and the domain itself (after CNAMEs) is the host (RFC 5321 §5.1), or for an address literal. */
  readonly implicitMx: boolean;
  /** Hosts in the order to try: ascending preference, equal preferences shuffled. Never empty. */
  readonly hosts: readonly PlanHost[];
  /** MX records and hosts left out, with the reason, in the order they were considered. */
  readonly dropped: readonly DroppedHost[];
  /** What MTA-STS says, when `resolvePlan` was asked to check it. */
  readonly mtaSts?: StsVerdict;
}
