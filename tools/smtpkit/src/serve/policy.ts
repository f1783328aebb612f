/**
 * The recipient policy of `smtpkit serve`. Without `--domains` every recipient is accepted (a
 * development catch-all: the server never relays, it only stores, so this is not an open relay).
 * With it, a recipient must be in one of the served domains, or be `<Postmaster>`, which a server
 * must always accept (RFC 5321 §4.5.1). Others get 550 5.7.1, authenticated or not: this server
 * delivers locally only.
 */
import { domainToASCII } from "node:url";
import type { ForwardPath } from "@smtpkit/smtp-codec";
import { reply } from "@smtpkit/smtp-reply-codes";

/** The answer for a recipient outside the served domains. */
export const RELAY_DENIED = reply(550, "5.7.1", "Relay access denied: not a domain served here");

/**
 * A domain in the form used for comparing: lower case, and an internationalised name as its
 * A-labels (RFC 5890), so `bücher.test` and `xn--bcher-kva.test` are the same domain.
 */
export function comparableDomain(domain: string): string {
  const lower = domain.toLowerCase();
  const ascii = domainToASCII(lower);
  return ascii.length > 0 ? ascii : lower;
}

/** The policy as a predicate; `domains` undefined is the catch-all. */
export function recipientPolicy(domains: readonly string[] | undefined): (to: ForwardPath) => boolean {
  if (domains === undefined) return () => true;
  const served = new Set(domains.map(comparableDomain));
  return (to) => "postmaster" in to || served.has(comparableDomain(to.domain));
}
