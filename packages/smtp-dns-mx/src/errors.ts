import { Replies, type Reply, reply } from "@smtpkit/smtp-reply-codes";

const BRAND = Symbol.for("@smtpkit/smtp-dns-mx/MxResolutionError");

/**
 * Stable machine-readable reasons a domain has no delivery plan. `temporary` errors mean "queue
 * and retry later" (RFC 5321 §4.5.4.1); permanent ones mean "return the message as undeliverable".
 */
export type MxResolutionErrorCode =
  /** not a domain name or address literal, or IDNA conversion failed: permanent, 553 5.1.3 */
  | "invalid-domain"
  /** NXDOMAIN for the domain (RFC 5321 §5.1 "MUST be reported as an error"): permanent, 550 5.1.2 */
  | "domain-not-found"
  /** the domain publishes a null MX (RFC 7505 §3): permanent, 556 5.1.10 */
  | "null-mx"
  /** no MX records and no A/AAAA either, so not even an implicit MX: permanent, 550 5.4.4 */
  | "no-address"
  /** MX records exist but none of their hosts gives an address (RFC 5321 §5.1): temporary, 451 4.4.4 */
  | "no-usable-host"
  /** every address found is refused by the address policy (loopback, private, …): permanent, 550 5.4.4 */
  | "address-refused"
  /** this host is the best MX: "the message MUST be returned as undeliverable" (RFC 5321 §5.1): 550 5.4.6 */
  | "mx-loop"
  /** SERVFAIL, timeout, refused or another resolver failure (RFC 5321 §5.1 "queued and retried"): 451 4.4.3 */
  | "dns-failure"
  /** an MTA-STS policy in enforce mode matches none of the MX hosts (RFC 8461 §5.1): temporary, 451 4.7.5 */
  | "mta-sts-mismatch";

/**
 * Coarse grouping for handling: `domain` — the recipient domain itself takes no mail; `dns` — the
 * resolver could not answer; `routing` — the answers give no host to deliver to; `policy` — a
 * host exists but a rule (address policy, MTA-STS) forbids delivering to it.
 */
export type MxErrorCategory = "domain" | "dns" | "routing" | "policy";

interface ErrorKind {
  readonly temporary: boolean;
  readonly category: MxErrorCategory;
  readonly reply: Reply;
}

/** One row per code: whether to retry, the category and the reply an MTA would use. */
export const MX_ERRORS: Readonly<Record<MxResolutionErrorCode, ErrorKind>> = Object.freeze({
  "invalid-domain": {
    temporary: false,
    category: "domain",
    reply: reply(553, "5.1.3", "Recipient domain is not a valid domain name"),
  },
  "domain-not-found": {
    temporary: false,
    category: "domain",
    reply: reply(550, "5.1.2", "Recipient domain does not exist"),
  },
  "null-mx": { temporary: false, category: "domain", reply: Replies.nullMx },
  "no-address": {
    temporary: false,
    category: "routing",
    reply: reply(550, "5.4.4", "Unable to route: recipient domain has no MX and no address record"),
  },
  "no-usable-host": {
    temporary: true,
    category: "routing",
    reply: reply(451, "4.4.4", "Unable to route: no mail exchanger of the recipient domain has an address"),
  },
  "address-refused": {
    temporary: false,
    category: "policy",
    reply: reply(550, "5.4.4", "Unable to route: the recipient domain's mail hosts have only refused addresses"),
  },
  "mx-loop": {
    temporary: false,
    category: "routing",
    reply: reply(550, "5.4.6", "Mail for the recipient domain loops back to this host"),
  },
  "dns-failure": {
    temporary: true,
    category: "dns",
    reply: reply(451, "4.4.3", "Directory server failure: DNS lookup of the recipient domain failed"),
  },
  "mta-sts-mismatch": {
    temporary: true,
    category: "policy",
    reply: reply(451, "4.7.5", "MTA-STS policy of the recipient domain allows none of its MX hosts"),
  },
});

/**
 * The one error class of smtp-dns-mx: why a domain has no delivery plan, whether to retry, and the
 * reply the MTA would use (in a bounce, or to a client when resolving synchronously).
 */
export class MxResolutionError extends Error {
  override readonly name = "MxResolutionError";
  readonly code: MxResolutionErrorCode;
  /** True: queue and retry later. False: the message is undeliverable to this domain. */
  readonly temporary: boolean;
  readonly category: MxErrorCategory;
  readonly reply: Reply;
  /** The domain as resolved (A-label form), or the input as given when it was not a domain. */
  readonly domain: string;

  constructor(code: MxResolutionErrorCode, domain: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    const kind = MX_ERRORS[code];
    this.code = code;
    this.temporary = kind.temporary;
    this.category = kind.category;
    this.reply = kind.reply;
    this.domain = domain;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `!temporary`. */
  get permanent(): boolean {
    return !this.temporary;
  }

  /** Brand check that survives duplicate installs of the package (unlike `instanceof`). */
  static isInstance(value: unknown): value is MxResolutionError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
