/**
 * VRFY and EXPN: both may be disabled (RFC 5321 §7.3), and when they answer they tell a spammer
 * which mailboxes and list members exist. The checks warn on disclosure; they never fail, since
 * answering is allowed.
 */
import { randomBytes } from "node:crypto";
import { type CheckDefinition, pass, type ProbeReply, warn } from "../types.js";
import { cls, isVerdict, readySession, shown } from "./support.js";

/** A mailbox in a reply text: "250 Fred Smith <Smith@USC-ISIF.ARPA>" (RFC 5321 §3.5.1). */
const MAILBOX_TEXT = /<[^<>\s@]+@[^<>\s]+>|\b[^<>\s@]+@[A-Za-z0-9.-]+\b/;

const localPart = (address: string): string => {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : address.slice(0, at);
};

/** "Not verified but accepted", "not implemented", "unrecognized": answers that say nothing about users. */
const SAYS_NOTHING = new Set([252, 500, 502]);

/**
 * "A server MUST NOT return a 250 code in response to a VRFY or EXPN command unless it has actually
 * verified the address" and 252 is the answer of a server that will not tell (RFC 5321 §3.5.3);
 * "sites may wish to disable ... VRFY" because it helps address harvesting (§7.3). A server that
 * answers a real user and a random one differently tells them apart: warn.
 */
const vrfy: CheckDefinition = {
  id: "commands.vrfy",
  area: "commands",
  title: "VRFY does not disclose users",
  rfc: "RFC 5321 §3.5.3, §7.3",
  async run(ctx) {
    const s = await readySession(ctx);
    if (isVerdict(s)) return s;
    const real = localPart(ctx.options.rcpt);
    const nobody = `smtpkit-nouser-${randomBytes(6).toString("hex")}`;
    const rReal = await s.command(`VRFY ${real}`);
    const rNobody = await s.command(`VRFY ${nobody}`);
    const both = `VRFY ${real} → ${shown(rReal)}, VRFY ${nobody} → ${shown(rNobody)}`;
    const confirms = rReal.code === 250 || rReal.code === 251;
    if (confirms && cls(rNobody) === 5) return warn(`discloses which users exist: ${both}`);
    if (confirms && MAILBOX_TEXT.test(rReal.lines.join(" "))) return warn(`discloses which users exist (the reply names the mailbox): ${both}`);
    if (SAYS_NOTHING.has(rReal.code) && SAYS_NOTHING.has(rNobody.code)) return pass(both);
    if (cls(rReal) === cls(rNobody)) return pass(`same answer class for a real and an unknown user: ${both}`);
    return warn(`tells a real user from an unknown one: ${both}`);
  },
};

/** How a 250 to EXPN reads: a list (several lines) or one address. */
function members(r: ProbeReply): string {
  return r.lines.length > 1 ? `${r.lines.length} members` : "a member";
}

/**
 * EXPN returns the members of a mailing list (RFC 5321 §3.5.2); §3.5.3 and §7.3 let servers refuse it
 * (252, 502, 550), which is what a public server should do: a 250 hands out addresses.
 */
const expn: CheckDefinition = {
  id: "commands.expn",
  area: "commands",
  title: "EXPN does not disclose list members",
  rfc: "RFC 5321 §3.5.3, §7.3",
  async run(ctx) {
    const s = await readySession(ctx);
    if (isVerdict(s)) return s;
    const names = [...new Set(["postmaster", ctx.options.rcpt])];
    const seen: string[] = [];
    for (const name of names) {
      const r = await s.command(`EXPN ${name}`);
      if (cls(r) === 2 && r.code !== 252) return warn(`discloses list members: EXPN ${name} → ${shown(r)} (${members(r)})`);
      if (r.code !== 252 && cls(r) !== 5) return warn(`answered EXPN ${name} with ${shown(r)}: expected 252, 502 or 550`);
      seen.push(`EXPN ${name} → ${shown(r)}`);
    }
    return pass(`does not expand lists: ${seen.join(", ")}`);
  },
};

export const lookupChecks: readonly CheckDefinition[] = [vrfy, expn];
