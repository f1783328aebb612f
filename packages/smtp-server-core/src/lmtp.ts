/**
 * LMTP (RFC 2033 §4.2): after the end of the data, one reply for every recipient that was
 * accepted, in RCPT order, so a delivery agent can refuse one mailbox (full, over quota) and
 * accept the others.
 */
import type { Reply } from "@smtpkit/smtp-codec";
import { R } from "./replies.js";

/**
 * The replies to send after the data: `common` (a failure, or the application's reply) for every
 * recipient when given, else the application's per-recipient entries, `250 2.1.5` where it gave none.
 */
export function lmtpReplies(count: number, common: Reply | undefined, perRecipient: readonly (Reply | undefined)[] | undefined): Reply[] {
  const out: Reply[] = [];
  for (let i = 0; i < count; i++) out.push(perRecipient?.[i] ?? common ?? R.deliveredLmtp);
  return out;
}
