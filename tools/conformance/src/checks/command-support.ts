/** Small helpers shared by the greeting and command checks: how a reply is shown, a ready session. */
import type { ProbeSession } from "../session.js";
import { type CheckContext, notApplicable, type ProbeReply, type Verdict } from "../types.js";

/** A reply in one short line for a summary: its first raw line (enhanced code kept), cut at 80 chars. */
export function shown(r: ProbeReply): string {
  const first = r.raw[0] ?? String(r.code);
  const cut = first.length > 80 ? `${first.slice(0, 80)}…` : first;
  return r.raw.length > 1 ? `${JSON.stringify(cut)} (+${r.raw.length - 1} lines)` : JSON.stringify(cut);
}

/** The reply code's class: 2, 3, 4 or 5. */
export const cls = (r: ProbeReply): number => Math.floor(r.code / 100);

/** `<rcpt>` as the options give it: "postmaster" or `local@domain`. */
export const path = (address: string): string => `<${address}>`;

/**
 * A session ready for commands (greeting 220, then EHLO or HELO, STARTTLS per the probe's mode), or
 * the n/a verdict when the server does not let a session start: the greeting check reports that.
 */
export async function readySession(ctx: CheckContext): Promise<ProbeSession | Verdict> {
  const s = await ctx.open();
  if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
  if (s.ehlo?.code !== 250) return notApplicable(`the server refused both EHLO and HELO (${s.ehlo === undefined ? "no reply" : shown(s.ehlo)})`);
  return s;
}

/** A verdict rather than a session: the caller returns it as is. */
export function isVerdict<T extends object>(x: T | Verdict): x is Verdict {
  return "status" in x && "summary" in x;
}
