/**
 * The EHLO/LHLO reply (RFC 5321 §4.1.1.1): the extensions this session may use. It depends only
 * on whether the session is encrypted and which AUTH mechanisms it may use, so its wire text is
 * built once per shape and cached. The HELO reply is the host name alone, also built once.
 */
import { formatCapabilities, formatReply } from "@smtpkit/smtp-codec";
import { offeredMechanisms } from "./auth.js";
import { type Wire, wire } from "./pipeline.js";
import type { Connection } from "./session.js";

export function ehloReply(c: Connection): Wire {
  const secure = c.info.secure;
  const mechanisms = offeredMechanisms(c);
  const key = `${secure ? 1 : 0}${mechanisms.join(" ")}`;
  const cache = c.ctx.ehloCache;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const ext = c.ctx.ext;
  const max = c.ctx.limits.maxMessageSize;
  const caps = {
    domain: c.ctx.hostname,
    greeting: c.ctx.lmtp ? "LMTP" : "ESMTP",
    auth: mechanisms,
    pipelining: ext.pipelining,
    eightBitMime: ext.eightBitMime,
    smtputf8: ext.smtputf8,
    chunking: ext.chunking,
    binaryMime: ext.chunking,
    dsn: ext.dsn,
    enhancedStatusCodes: ext.enhancedStatusCodes,
    startTls: ext.starttls && c.ctx.tls !== undefined && !secure,
    // RFC 8689 §4: REQUIRETLS is offered only on a session that is already encrypted.
    requireTls: ext.requireTls && secure,
    others: new Map<string, readonly string[]>(),
  };
  const w = wire(formatReply(formatCapabilities(ext.size ? { ...caps, size: max } : caps)));
  if (cache.size < 64) cache.set(key, w);
  return w;
}

/** The reply to HELO: `250 Domain`, without an enhanced status code (RFC 2034 §4). */
export function heloReply(c: Connection): Wire {
  const cache = c.ctx.ehloCache;
  // EHLO keys start with 0 or 1, so this one cannot collide.
  const hit = cache.get("HELO");
  if (hit !== undefined) return hit;
  const w = wire(`250 ${c.ctx.hostname}\r\n`);
  cache.set("HELO", w);
  return w;
}
