/**
 * The EHLO/LHLO reply (RFC 5321 §4.1.1.1): the extensions this session may use. It depends only
 * on whether the session is encrypted and which AUTH mechanisms it may use, so its wire text is
 * built once per shape and cached.
 */
import { formatCapabilities, formatReply } from "@smtpkit/smtp-codec";
import { offeredMechanisms } from "./auth.js";
import type { Connection } from "./session.js";

export function ehloReply(c: Connection): string {
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
  const text = formatReply(formatCapabilities(ext.size ? { ...caps, size: max } : caps));
  if (cache.size < 64) cache.set(key, text);
  return text;
}
