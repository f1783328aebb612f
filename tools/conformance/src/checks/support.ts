/** Helpers every area's checks share: how a reply is shown, reply classes, ready sessions, counting replies. */
import type { Capabilities } from "@smtpkit/smtp-codec";
import { ProbeError } from "../errors.js";
import type { ProbeSession } from "../session.js";
import { type CheckContext, notApplicable, type OpenOptions, type ProbeReply, type Verdict } from "../types.js";

/** A reply in one short line for a summary: its first raw line (enhanced code kept), cut at 80 chars. */
export function shown(r: ProbeReply): string {
  const first = r.raw[0] ?? String(r.code);
  const cut = first.length > 80 ? `${first.slice(0, 80)}…` : first;
  return r.raw.length > 1 ? `${JSON.stringify(cut)} (+${r.raw.length - 1} lines)` : JSON.stringify(cut);
}

/** The reply code's class: 2, 3, 4 or 5 (RFC 5321 §4.2.1). */
export const cls = (r: ProbeReply): number => Math.floor(r.code / 100);

/** 250 or 251: the command was accepted (RFC 5321 §4.2.2). */
export const accepted = (r: ProbeReply): boolean => r.code === 250 || r.code === 251;

/** `<rcpt>` as the options give it: "postmaster" or `local@domain`. */
export const path = (address: string): string => `<${address}>`;

/** The codes of some replies, for a summary: "503, 250, 500". */
export const codes = (rs: readonly ProbeReply[]): string => (rs.length === 0 ? "nothing" : rs.map((r) => r.code).join(", "));

/** A verdict rather than a session: the caller returns it as is. */
export function isVerdict<T extends object>(x: T | Verdict): x is Verdict {
  return "status" in x && "summary" in x;
}

/**
 * A session ready for commands (greeting 220, then EHLO or HELO, STARTTLS per the probe's mode), or
 * the n/a verdict when the server does not let a session start: the greeting checks report that.
 */
export async function readySession(ctx: CheckContext, how?: OpenOptions): Promise<ProbeSession | Verdict> {
  const s = await ctx.open(how);
  if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
  if (s.ehlo?.code !== 250) return notApplicable(`the server refused both EHLO and HELO (${s.ehlo === undefined ? "no reply" : shown(s.ehlo)})`);
  return s;
}

/** A session after a 250 to EHLO, with the capabilities it was offered. */
export interface EsmtpSession {
  readonly s: ProbeSession;
  readonly caps: Capabilities;
}

/**
 * A ready session whose EHLO was answered 250. Extensions are only offered in an EHLO reply
 * (RFC 5321 §4.1.1.1), so a server that refuses EHLO gets n/a here: the greeting checks report that.
 */
export async function esmtpSession(ctx: CheckContext, how?: OpenOptions): Promise<EsmtpSession | Verdict> {
  const s = await readySession(ctx, how);
  if (isVerdict(s)) return s;
  if (s.capabilities === undefined || s.ehlo === undefined || s.ehlo.raw.length === 0) {
    return notApplicable("the server did not answer EHLO with 250, so it offers no extensions");
  }
  return { s, caps: s.capabilities };
}

/** A ready EHLO session in which the server offers extension `name` (`offered(caps)`), else n/a. */
export async function sessionOffering(
  ctx: CheckContext,
  name: string,
  offered: (caps: Capabilities) => boolean,
  how?: OpenOptions,
): Promise<EsmtpSession | Verdict> {
  const e = await esmtpSession(ctx, how);
  if (isVerdict(e) || offered(e.caps)) return e;
  return notApplicable(`${name} is not offered`);
}

/**
 * Up to `n` replies, each within the reply timeout; fewer when the server falls silent or closes.
 * A check that counts replies needs the count, not an exception.
 */
export async function readUpTo(s: ProbeSession, n: number): Promise<ProbeReply[]> {
  const out: ProbeReply[] = [];
  for (let i = 0; i < n; i++) {
    try {
      out.push(await s.read());
    } catch (err) {
      if (ProbeError.isInstance(err) && (err.code === "timeout" || err.code === "closed")) break;
      throw err;
    }
  }
  return out;
}

/** Replies that arrive in the quiet window after the expected ones (bounded: at most `max`). */
export async function extraReplies(s: ProbeSession, max = 4): Promise<ProbeReply[]> {
  const out: ProbeReply[] = [];
  for (let i = 0; i < max; i++) {
    const r = await s.quiet();
    if (r === undefined) break;
    out.push(r);
  }
  return out;
}
