/**
 * Extension checks, part 1: SIZE, PIPELINING, 8BITMIME, SMTPUTF8 and ENHANCEDSTATUSCODES, each judged
 * only when the session's EHLO offers it (else n/a). Part 2 (DSN, CHUNKING, REQUIRETLS) is in
 * extensions-delivery.ts. No check here sends DATA or BDAT: every transaction is left open and
 * dropped with the connection or reset.
 */
import { type CheckContext, type CheckDefinition, fail, notApplicable, pass, type ProbeReply, type Verdict, warn } from "../types.js";
import { chunkingCheck, dsnCheck, requireTlsCheck } from "./extensions-delivery.js";
import { accepted, cls, codes, esmtpSession, extraReplies, isVerdict, readUpTo, sessionOffering, shown } from "./support.js";

/**
 * RFC 1870 §4: `SIZE 0` (or no value) means no fixed maximum. §6: a declared SIZE above the fixed
 * maximum is refused at MAIL with 552 (RFC 3463: 5.3.4 "message too big for system"); a size within
 * it must not be refused for its size.
 */
const size: CheckDefinition = {
  id: "extensions.size",
  area: "extensions",
  title: "SIZE: a declared size over the limit is refused with 552 at MAIL",
  rfc: "RFC 1870 §4, §6; RFC 3463 §3.4",
  async run(ctx: CheckContext): Promise<Verdict> {
    const e = await esmtpSession(ctx);
    if (isVerdict(e)) return e;
    const { s, caps } = e;
    const from = `MAIL FROM:<${ctx.options.from}>`;
    if (caps.size === undefined) return notApplicable("SIZE is not offered");
    if (caps.size === 0) {
      const r = await s.command(`${from} SIZE=1000`);
      if (accepted(r)) return pass("SIZE offered with no fixed limit; MAIL with SIZE=1000 accepted");
      return fail(`SIZE offered with no fixed limit, yet MAIL with SIZE=1000 got ${shown(r)}`);
    }
    const limit = caps.size;
    // A size the server must take: 100 octets, or the limit itself when that is smaller.
    const small = Math.min(100, limit);
    const ok = await s.command(`${from} SIZE=${small}`);
    if (!accepted(ok)) return fail(`SIZE ${limit} offered, yet MAIL with SIZE=${small} got ${shown(ok)}`);
    const reset = await s.command("RSET");
    if (!accepted(reset)) return fail(`RSET after MAIL got ${shown(reset)}`);
    const over = (BigInt(limit) + 1n).toString();
    const r = await s.command(`${from} SIZE=${over}`);
    if (r.code === 552) {
      const ideal = r.enhanced === undefined || (r.enhanced.subject === 3 && r.enhanced.detail === 4);
      return pass(`SIZE ${limit}: MAIL with SIZE=${over} refused with ${shown(r)}${ideal ? "" : " (5.3.4 is the usual enhanced code)"}`);
    }
    if (cls(r) === 4 || cls(r) === 5) {
      return warn(`SIZE ${limit}: MAIL with SIZE=${over} refused with ${shown(r)}; RFC 1870 §6 asks for 552 (5.3.4)`);
    }
    return fail(`SIZE ${limit}: MAIL with SIZE=${over} (over the limit) got ${shown(r)}: the limit is not enforced at MAIL`);
  },
};

/**
 * RFC 2920 §3.2: the server MUST answer commands in the order received and MUST NOT lose buffered
 * input; §3.1: a group may hold RSET, MAIL and RCPT anywhere, NOOP only last. A command is a line
 * ended by CRLF (RFC 5321 §2.3.8), so a server that answers before the CRLF acts on half a line.
 */
const pipelining: CheckDefinition = {
  id: "extensions.pipelining",
  area: "extensions",
  title: "PIPELINING: one reply per command, in order, none before a line ends",
  rfc: "RFC 2920 §3.1, §3.2; RFC 5321 §2.3.8",
  async run(ctx: CheckContext): Promise<Verdict> {
    const e = await sessionOffering(ctx, "PIPELINING", (c) => c.pipelining);
    if (isVerdict(e)) return e;
    const { s } = e;
    const o = ctx.options;
    // NOOP is last: RFC 2920 §3.1 lets it end a group only. RCPT before MAIL and XYZZY fail on
    // purpose, so a server that answers by position instead of by command is caught by the classes.
    const group = [`RCPT TO:<${o.rcpt}>`, `MAIL FROM:<${o.from}>`, "XYZZY", "RSET", "NOOP"];
    const want = [5, 2, 5, 2, 2];
    s.sendRaw(group.map((c) => `${c}\r\n`).join(""));
    const got = await readUpTo(s, group.length);
    const extra = got.length === group.length ? await extraReplies(s) : [];
    const all = [...got, ...extra];
    if (all.length !== group.length) {
      return fail(`${group.length} pipelined commands got ${all.length} replies (${codes(all)}), not one each`);
    }
    const wrong = got.findIndex((r, i) => cls(r) !== want[i]);
    if (wrong >= 0) {
      return fail(`pipelined replies out of order: got ${codes(got)} for ${group.join(", ")} (reply ${wrong + 1} should be ${want[wrong]}xx)`);
    }
    // (b) Half a command: no reply may come until its CRLF does.
    s.sendRaw("NOOP");
    const early = await s.quiet();
    if (early !== undefined) return fail(`answered ${shown(early)} to "NOOP" before its CRLF arrived: it acts on unterminated lines`);
    if (s.closed) return fail("closed the connection on an unfinished command line");
    s.sendRaw("\r\n");
    const done = await readUpTo(s, 1);
    const after = done.length === 1 ? await extraReplies(s) : [];
    const noop = done[0];
    if (noop === undefined) return fail("no reply to NOOP once its CRLF arrived");
    if (noop.code !== 250 || after.length > 0) {
      return fail(`NOOP sent in two pieces got ${codes([noop, ...after])}, not one 250`);
    }
    return pass(`5 pipelined commands got ${codes(got)} in order; a NOOP split before its CRLF was answered once, after the CRLF`);
  },
};

/** RFC 6152 §2-3: a server offering 8BITMIME accepts BODY=8BITMIME on MAIL. */
const eightBitMime: CheckDefinition = {
  id: "extensions.8bitmime",
  area: "extensions",
  title: "8BITMIME: MAIL with BODY=8BITMIME is accepted",
  rfc: "RFC 6152 §2, §3",
  async run(ctx: CheckContext): Promise<Verdict> {
    const e = await esmtpSession(ctx);
    if (isVerdict(e)) return e;
    if (!e.caps.eightBitMime) return notApplicable("8BITMIME is not offered");
    const r = await e.s.command(`MAIL FROM:<${ctx.options.from}> BODY=8BITMIME`);
    if (accepted(r)) return pass(`MAIL with BODY=8BITMIME got ${shown(r)}`);
    return fail(`8BITMIME offered, yet MAIL with BODY=8BITMIME got ${shown(r)}`);
  },
};

/**
 * RFC 6531 §3.2-3.4: a server offering SMTPUTF8 accepts a UTF-8 reverse-path on MAIL with the
 * SMTPUTF8 parameter. A UTF-8 address without it is outside RFC 5321's grammar (§4.1.2), so a
 * server without SMTPUTF8 ought to refuse it.
 */
const smtputf8: CheckDefinition = {
  id: "extensions.smtputf8",
  area: "extensions",
  title: "SMTPUTF8: a UTF-8 reverse-path with SMTPUTF8 is accepted (and refused without it)",
  rfc: "RFC 6531 §3.2-3.4; RFC 5321 §4.1.2",
  async run(ctx: CheckContext): Promise<Verdict> {
    const e = await esmtpSession(ctx);
    if (isVerdict(e)) return e;
    // Sent raw as UTF-8 (session.send encodes UTF-8): that is the point of the extension.
    const from = `MAIL FROM:<ü-probe@${ctx.options.helo}>`;
    if (e.caps.smtputf8) {
      const r = await e.s.command(`${from} SMTPUTF8`);
      if (accepted(r)) return pass(`MAIL FROM:<ü-probe@…> SMTPUTF8 got ${shown(r)}`);
      return fail(`SMTPUTF8 offered, yet MAIL FROM:<ü-probe@…> SMTPUTF8 got ${shown(r)}`);
    }
    const r = await e.s.command(from);
    if (cls(r) === 5) return pass(`SMTPUTF8 not offered; a UTF-8 reverse-path without it got ${shown(r)}`);
    if (accepted(r)) return warn(`SMTPUTF8 not offered, yet MAIL FROM:<ü-probe@…> got ${shown(r)}: accepts non-ASCII addresses without SMTPUTF8`);
    return warn(`SMTPUTF8 not offered; a UTF-8 reverse-path without it got ${shown(r)}, not a permanent 5xx refusal`);
  },
};

/** `class.subject.detail` after the reply code (RFC 3463 §2; RFC 2034 §4). */
const ENHANCED = /^\d{3}[ -](\d)\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/**
 * RFC 2034 §4: "These codes must appear in all 2xx, 4xx, and 5xx response lines other than initial
 * greeting and any response to HELO or EHLO" and "All status codes returned by the server must agree
 * with the primary response code". 3xx replies are exempt. Every line is checked, as the rule says.
 */
const enhancedCodes: CheckDefinition = {
  id: "extensions.enhanced-codes",
  area: "extensions",
  title: "ENHANCEDSTATUSCODES: every 2xx/4xx/5xx reply line carries a code of the same class",
  rfc: "RFC 2034 §4; RFC 3463 §2",
  async run(ctx: CheckContext): Promise<Verdict> {
    // RFC 2034 sets no rule for a server that uses the codes without offering them: nothing to judge.
    const e = await sessionOffering(ctx, "ENHANCEDSTATUSCODES", (c) => c.enhancedStatusCodes);
    if (isVerdict(e)) return e;
    const { s } = e;
    const o = ctx.options;
    const script = ["NOOP", "XYZZY", `RCPT TO:<${o.rcpt}>`, "MAIL FROM:no-brackets", `MAIL FROM:<${o.from}>`, `RCPT TO:<${o.rcpt}>`, "RSET"];
    const seen: { command: string; reply: ProbeReply }[] = [];
    for (const command of script) seen.push({ command, reply: await s.command(command) });
    for (const { command, reply } of seen) {
      if (cls(reply) === 3) continue;
      for (const line of reply.raw) {
        const m = ENHANCED.exec(line);
        const c = m?.[1];
        if (m === null || c === undefined || !["2", "4", "5"].includes(c)) {
          return fail(`${command} got ${JSON.stringify(line)} without an enhanced code: RFC 2034 §4 says codes must appear in all 2xx, 4xx and 5xx response lines`);
        }
        if (Number(c) !== cls(reply)) {
          return fail(`${command} got ${JSON.stringify(line)}: the enhanced class ${c} does not agree with the reply code ${reply.code} (RFC 2034 §4)`);
        }
      }
    }
    return pass(`${seen.length} replies (${codes(seen.map((x) => x.reply))}) each carried an enhanced code of their class`);
  },
};

export const extensionChecks: readonly CheckDefinition[] = [size, pipelining, eightBitMime, smtputf8, enhancedCodes, dsnCheck, chunkingCheck, requireTlsCheck];
