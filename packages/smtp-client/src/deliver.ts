/**
 * Direct-to-MX delivery: recipients grouped by domain, a plan per domain from smtp-dns-mx, hosts and
 * their addresses tried in order until one gives a definite answer (RFC 5321 §5.1), MTA-STS applied
 * (RFC 8461 §5: under enforce, TLS with a certificate valid for the MX host name, or no delivery).
 */
import { MxResolutionError, type PlanHost, resolvePlan } from "@smtpkit/smtp-dns-mx";
import { toMailbox } from "./addresses.js";
import { connect } from "./connection.js";
import { SmtpClientError } from "./errors.js";
import type {
  ConnectOptions,
  DeliverOptions,
  DeliveryRecipient,
  DeliveryReport,
  MessageInput,
  SendResult,
} from "./types.js";

/** A message `deliver` may need to send more than once: whole, or a function that opens it again. */
export type DeliverMessage = string | Uint8Array | (() => MessageInput);

function open(m: DeliverMessage): MessageInput {
  return typeof m === "function" ? m() : m;
}

/** An answer about the recipients that another host would not change. */
function definite(e: SmtpClientError): boolean {
  if (e.code === "invalid-input" || e.code === "size-exceeded" || e.code === "extension-missing") return true;
  return e.reply !== undefined && e.reply.code >= 500 && (e.phase === "mail" || e.phase === "rcpt" || e.phase === "data");
}

function connectOptionsFor(o: DeliverOptions, host: PlanHost, address: string): ConnectOptions {
  const { from: _f, to: _t, params: _p, dsn: _d, resolve: _r, size: _s, ...base } = o;
  const enforce = host.tls?.enforce === true;
  const isLiteral = host.host.startsWith("[");
  return {
    ...base,
    host: address,
    port: o.port ?? 25,
    tls: enforce ? "required" : (o.tls ?? "opportunistic"),
    tlsOptions: {
      ...o.tlsOptions,
      ...(isLiteral ? {} : { servername: host.host }),
      // MTA-STS enforce: the certificate must be valid for the MX host (RFC 8461 §4.2); no opt-out.
      // Without a policy, MX TLS is opportunistic (RFC 7435, RFC 3207 §4.1): encrypt, but a
      // certificate that does not validate is not a reason to refuse, unless the caller asks to check.
      insecure: enforce ? false : (o.tlsOptions?.insecure ?? true),
    },
  };
}

/** Deliver `message` to each recipient domain's MX hosts. Never rejects for a delivery failure: see the report. */
export async function deliver(message: DeliverMessage, o: DeliverOptions): Promise<DeliveryReport> {
  const list = typeof o.to === "string" ? [o.to] : [...o.to];
  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  const out = new Map<string, DeliveryRecipient>();
  for (const address of list) {
    let domain: string;
    try {
      const box = toMailbox(address, "recipient");
      domain = box.domain.toLowerCase();
      const key = `${box.localPart}@${domain}`;
      if (seen.has(key)) continue;
      seen.add(key);
    } catch (e) {
      if (!out.has(address)) out.set(address, { address, accepted: false, temporary: false, error: e as Error });
      continue;
    }
    const g = groups.get(domain);
    if (g === undefined) groups.set(domain, [address]);
    else g.push(address);
  }
  await Promise.all(
    [...groups].map(async ([domain, rcpts]) => {
      for (const r of await deliverDomain(message, o, domain, rcpts)) out.set(r.address, r);
    }),
  );
  const recipients = list.filter((a, i) => list.indexOf(a) === i && out.has(a)).map((a) => out.get(a) as DeliveryRecipient);
  return {
    recipients,
    accepted: recipients.filter((r) => r.accepted).map((r) => r.address),
    rejected: recipients.filter((r) => !r.accepted).map((r) => r.address),
  };
}

async function deliverDomain(
  message: DeliverMessage,
  o: DeliverOptions,
  domain: string,
  rcpts: string[],
): Promise<DeliveryRecipient[]> {
  const failAll = (error: Error, temporary: boolean, host?: string) =>
    rcpts.map((address) => ({
      address,
      accepted: false,
      temporary,
      error,
      ...(SmtpClientError.isInstance(error) && error.reply !== undefined ? { reply: error.reply } : {}),
      ...(host === undefined ? {} : { host }),
    }));
  let plan: Awaited<ReturnType<typeof resolvePlan>>;
  try {
    plan = await resolvePlan(domain, o.resolve);
  } catch (e) {
    if (MxResolutionError.isInstance(e)) {
      const err = new SmtpClientError("mx-failed", "mx", e.message, { reply: e.reply, temporary: e.temporary, cause: e });
      return failAll(err, e.temporary);
    }
    throw e;
  }
  const sts = plan.mtaSts;
  let last: SmtpClientError | undefined;
  for (const host of plan.hosts) {
    if (sts?.status === "policy" && sts.hosts.find((h) => h.host === host.host)?.action === "skip") continue;
    for (const address of host.addresses) {
      let conn: Awaited<ReturnType<typeof connect>> | undefined;
      try {
        conn = await connect(connectOptionsFor(o, host, address));
        const result: SendResult = await conn.send({
          from: o.from,
          to: rcpts,
          message: open(message),
          ...(o.params === undefined ? {} : { params: o.params }),
          ...(o.dsn === undefined ? {} : { dsn: o.dsn }),
          ...(o.size === undefined ? {} : { size: o.size }),
          ...(o.signal === undefined ? {} : { signal: o.signal }),
        });
        await conn.quit();
        return result.recipients.map((r) => ({
          address: r.address,
          accepted: r.accepted,
          temporary: !r.accepted && r.reply.code < 500,
          reply: r.reply,
          host: host.host,
        }));
      } catch (e) {
        conn?.close();
        if (!SmtpClientError.isInstance(e)) throw e;
        if (definite(e)) return failAll(e, e.temporary, host.host);
        last = e;
        if (e.code === "aborted") return failAll(e, true, host.host);
      }
    }
  }
  const err =
    last ?? new SmtpClientError("mx-failed", "mx", `no MX host of ${domain} may be used (MTA-STS)`, { temporary: true });
  return failAll(err, true);
}
