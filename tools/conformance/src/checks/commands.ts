/**
 * Command handling: unknown commands, syntax errors, out-of-sequence commands, RSET, NOOP, case, and
 * over-long lines. No check here ever sends DATA content: a 354 drops the connection.
 */
import { ProbeError } from "../errors.js";
import type { ProbeSession } from "../session.js";
import { type CheckContext, type CheckDefinition, fail, notApplicable, type ProbeReply, pass, type Verdict, warn } from "../types.js";
import { cls, isVerdict, path, readySession, shown } from "./support.js";
import { deliveryChecks } from "./commands-data.js";
import { lookupChecks } from "./commands-lookup.js";

/** Run `body` on a ready session, or return why there is none. */
async function withSession(ctx: CheckContext, body: (s: ProbeSession) => Promise<Verdict>): Promise<Verdict> {
  const s = await readySession(ctx);
  return isVerdict(s) ? s : body(s);
}

/** MAIL FROM:<from>, or the n/a verdict when the server refuses it (the transaction checks need it). */
async function mailFrom(ctx: CheckContext, s: ProbeSession, verb = "MAIL FROM:"): Promise<ProbeReply | Verdict> {
  const r = await s.command(`${verb}${path(ctx.options.from)}`);
  return r.code === 250 ? r : notApplicable(`MAIL FROM:${path(ctx.options.from)} was refused with ${shown(r)}; pass --from with an accepted sender`);
}

/**
 * "500 Syntax error, command unrecognized" (RFC 5321 §4.2.2, §4.2.4: a server "MUST respond with a
 * 500 reply" to an unknown command); 502 means "not implemented", a different thing. The session goes on.
 */
const unknown: CheckDefinition = {
  id: "commands.unknown",
  area: "commands",
  title: "Unknown command → 500",
  rfc: "RFC 5321 §4.2.4, §4.2.2",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const r = await s.command("XYZZY");
      let verdict: Verdict;
      if (r.code === 500) verdict = pass(`answered ${shown(r)} to the unknown command XYZZY`);
      else if (r.code === 502) verdict = warn(`answered ${shown(r)} to XYZZY: 502 means "not implemented", an unknown command gets 500`);
      else return fail(`answered ${shown(r)} to the unknown command XYZZY instead of 500`);
      // Closing after one unknown command is allowed but unfriendly: a typo should not end the session.
      const hungUp = warn(`${verdict.summary}, then closed the connection`);
      if (s.closed) return hungUp;
      try {
        s.send("NOOP");
      } catch (err) {
        // The close may land between the reply and this write.
        if (ProbeError.isInstance(err) && err.code === "closed") return hungUp;
        throw err;
      }
      const noop = await s.quiet(ctx.options.replyTimeout);
      if (noop === undefined) return s.closed ? hungUp : fail(`${verdict.summary}, then NOOP got no reply`);
      if (noop.code !== 250) return fail(`${verdict.summary}, then NOOP got ${shown(noop)}: the session did not go on`);
      return verdict;
    }),
};

/**
 * "501 Syntax error in parameters or arguments" (RFC 5321 §4.2.2) for a reverse-path that is not a
 * Path (§4.1.2). 553 ("mailbox name not allowed") or 555 are answers about a well-formed address.
 */
const syntax: CheckDefinition = {
  id: "commands.syntax",
  area: "commands",
  title: "Bad syntax → 501",
  rfc: "RFC 5321 §4.2.2, §4.1.2",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const line = "MAIL FROM:<probe@";
      const r = await s.command(line);
      if (r.code === 501) return pass(`answered ${shown(r)} to the broken path ${JSON.stringify(line)}`);
      if (cls(r) === 2) return fail(`accepted the broken path ${JSON.stringify(line)} with ${shown(r)}`);
      return warn(`answered ${shown(r)} to the broken path ${JSON.stringify(line)}: a syntax error is 501`);
    }),
};

/** "If a RCPT command appears without a previous MAIL command, the server MUST return a 503" (RFC 5321 §3.3). */
const sequenceRcpt: CheckDefinition = {
  id: "commands.sequence-rcpt",
  area: "commands",
  title: "RCPT before MAIL → 503",
  rfc: "RFC 5321 §3.3, §4.1.4",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const line = `RCPT TO:${path(ctx.options.rcpt)}`;
      const r = await s.command(line);
      if (r.code === 503) return pass(`answered ${shown(r)} to ${line} before MAIL`);
      if (cls(r) === 2) return fail(`accepted ${line} before any MAIL with ${shown(r)}`);
      return warn(`answered ${shown(r)} to ${line} before MAIL: out of sequence is 503 (RFC 5321 §3.3 MUST)`);
    }),
};

/**
 * DATA without an accepted RCPT: "the server MAY return a "command out of sequence" (503) or "no
 * valid recipients" (554) reply" (RFC 5321 §3.3). A 354 would start a message with no recipient; the
 * probe drops the connection then and never sends content.
 */
const sequenceData: CheckDefinition = {
  id: "commands.sequence-data",
  area: "commands",
  title: "DATA before RCPT → 503",
  rfc: "RFC 5321 §3.3, §4.1.4",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const mail = await mailFrom(ctx, s);
      if (isVerdict(mail)) return mail;
      const r = await s.command("DATA");
      if (r.code === 503 || r.code === 554) return pass(`answered ${shown(r)} to DATA without a recipient`);
      if (r.code === 354) {
        s.close();
        return fail(`answered ${shown(r)} to DATA without any recipient (the probe dropped the connection)`);
      }
      if (cls(r) === 2 || cls(r) === 3) return fail(`answered ${shown(r)} to DATA without any recipient`);
      return warn(`answered ${shown(r)} to DATA without a recipient: expected 503 or 554`);
    }),
};

/** RSET: "any stored sender, recipients, and mail data MUST be discarded ... MUST send a 250" (RFC 5321 §4.1.1.5). */
const rset: CheckDefinition = {
  id: "commands.rset",
  area: "commands",
  title: "RSET clears the transaction",
  rfc: "RFC 5321 §4.1.1.5",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const mail = await mailFrom(ctx, s);
      if (isVerdict(mail)) return mail;
      const r = await s.command("RSET");
      if (r.code !== 250) return fail(`answered ${shown(r)} to RSET instead of 250`);
      const line = `RCPT TO:${path(ctx.options.rcpt)}`;
      const after = await s.command(line);
      if (after.code === 503) return pass(`RSET answered 250, and ${line} after it got ${shown(after)}: the MAIL was forgotten`);
      if (cls(after) === 2) return fail(`${line} after MAIL and RSET got ${shown(after)}: RSET did not clear the transaction`);
      return warn(`${line} after MAIL and RSET got ${shown(after)}, not 503: cannot tell whether RSET cleared the transaction`);
    }),
};

/**
 * NOOP: the receiver sends "250 OK"; noop = "NOOP" [ SP String ] CRLF, and "If a parameter string is
 * specified, servers SHOULD ignore it" (RFC 5321 §4.1.1.9): refusing the argument is a warn only.
 */
const noop: CheckDefinition = {
  id: "commands.noop",
  area: "commands",
  title: "NOOP",
  rfc: "RFC 5321 §4.1.1.9",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const bare = await s.command("NOOP");
      if (bare.code !== 250) return fail(`answered ${shown(bare)} to NOOP instead of 250`);
      const arg = await s.command("NOOP smtpkit-probe");
      if (arg.code !== 250) return warn(`NOOP got 250 but "NOOP smtpkit-probe" got ${shown(arg)}: the argument should be ignored`);
      return pass(`answered 250 to NOOP and to NOOP with an argument`);
    }),
};

/** "Verbs and argument values (e.g., "TO:" or "to:" in the RCPT command ...) are not case sensitive" (RFC 5321 §2.4). */
const caseInsensitive: CheckDefinition = {
  id: "commands.case",
  area: "commands",
  title: "Commands are case-insensitive",
  rfc: "RFC 5321 §2.4",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      const refused: string[] = [];
      for (const line of ["nOoP", "rSeT"]) {
        const r = await s.command(line);
        if (r.code !== 250) refused.push(`${line} → ${shown(r)}`);
      }
      // MAIL is tried only when the upper-case form was accepted in discovery (else a refusal says nothing).
      const mixed = `mAiL fRoM:${path(ctx.options.from)}`;
      let tried = false;
      if (ctx.facts.mail?.code === 250) {
        tried = true;
        const r = await s.command(mixed);
        if (r.code !== 250) refused.push(`${mixed} → ${shown(r)}`);
        else {
          const back = await s.command("RSET");
          if (back.code !== 250) ctx.note(`RSET after it got ${back.code}`);
        }
      } else {
        ctx.note(`MAIL FROM was refused in discovery (${ctx.facts.mail?.code ?? "not tried"}), so ${mixed} is not tried`);
      }
      if (refused.length > 0) return fail(`refused mixed-case commands: ${refused.join("; ")}`);
      return pass(`accepted nOoP, rSeT${tried ? ` and ${mixed}` : ""} like their upper-case forms`);
    }),
};

/** Replies read after the long line, bounded: more than this means the server lost its way. */
const MAX_LONG_LINE_REPLIES = 8;
const LONG_LINE = 4000;

/**
 * A command line is at most 512 octets with CRLF (RFC 5321 §4.5.3.1.4), but "implementations should
 * avoid such limits" where they can (§4.5.3.1): a server may answer 500 (or 501) "line too long", or
 * accept it. What it must not do is cut it into several commands: the tail of a long line would run
 * as a command the client never sent (an injection vector).
 */
const lineLength: CheckDefinition = {
  id: "commands.line-length",
  area: "commands",
  title: "Over-long command line",
  rfc: "RFC 5321 §4.5.3.1.4, §4.5.3.1",
  run: (ctx) =>
    withSession(ctx, async (s) => {
      s.sendRaw(`NOOP ${"x".repeat(LONG_LINE)}\r\nNOOP\r\n`);
      const replies: ProbeReply[] = [];
      const first = await s.quiet(ctx.options.replyTimeout);
      if (first === undefined) {
        return s.closed
          ? warn(`closed the connection without a reply to a ${LONG_LINE + 7}-octet command line`)
          : fail(`no reply to a ${LONG_LINE + 7}-octet command line followed by NOOP within ${ctx.options.replyTimeout} ms`);
      }
      replies.push(first);
      while (replies.length < MAX_LONG_LINE_REPLIES) {
        const next = await s.quiet(replies.length === 1 ? ctx.options.replyTimeout : ctx.options.quietWait);
        if (next === undefined) break;
        replies.push(next);
      }
      const codes = replies.map((r) => r.code).join(", ");
      if (replies.length > 2) {
        const n = replies.length === MAX_LONG_LINE_REPLIES ? `at least ${replies.length}` : String(replies.length);
        return fail(`${n} replies (${codes}) to one long line and a NOOP: the line was split into several commands`);
      }
      const [head, second] = [replies[0] as ProbeReply, replies[1]];
      if (second === undefined) {
        return s.closed
          ? warn(`answered ${shown(head)} to the long line, then closed the connection`)
          : fail(`only one reply (${shown(head)}) to a long line and a NOOP: a command went unanswered`);
      }
      if (second.code !== 250) return fail(`the NOOP after the long line got ${shown(second)}: the long line was not cleanly discarded`);
      if (head.code === 500 || head.code === 501) return pass(`refused the ${LONG_LINE + 7}-octet line with ${shown(head)}, then NOOP got 250`);
      if (head.code === 250) return pass(`accepted the ${LONG_LINE + 7}-octet line (allowed: RFC 5321 §4.5.3.1 discourages limits), then NOOP got 250`);
      return warn(`answered ${shown(head)} to the ${LONG_LINE + 7}-octet line (expected 500 "line too long"), then NOOP got 250`);
    }),
};

export const commandChecks: readonly CheckDefinition[] = [
  unknown,
  syntax,
  sequenceRcpt,
  sequenceData,
  rset,
  noop,
  ...lookupChecks,
  caseInsensitive,
  lineLength,
  ...deliveryChecks,
];
