/**
 * Extension checks, part 2: DSN parameters, CHUNKING (BDAT) and REQUIRETLS. CHUNKING is the one
 * check here that could complete a message: it never sends `BDAT … LAST` inside a transaction
 * unless --deliver is set, and then only to that address.
 */
import { xtextEncode } from "@smtpkit/smtp-codec";
import { type CheckContext, type CheckDefinition, fail, notApplicable, pass, type Verdict, warn } from "../types.js";
import { accepted, cls, codes, esmtpSession, extraReplies, isVerdict, readUpTo, sessionOffering, shown } from "./support.js";

/**
 * RFC 3461 §4.1 NOTIFY and §4.2 ORCPT (RCPT), §4.3 RET and §4.4 ENVID (MAIL): a server offering DSN
 * accepts them. ORCPT's value is xtext (§4, RFC 3461 §4.2: addr-type ";" xtext).
 */
export const dsnCheck: CheckDefinition = {
  id: "extensions.dsn",
  area: "extensions",
  title: "DSN: RET, ENVID, NOTIFY and ORCPT parameters are accepted",
  rfc: "RFC 3461 §4.1-4.4, §5.2",
  async run(ctx: CheckContext): Promise<Verdict> {
    const e = await sessionOffering(ctx, "DSN", (c) => c.dsn);
    if (isVerdict(e)) return e;
    const { s, caps } = e;
    const o = ctx.options;
    const mail = await s.command(`MAIL FROM:<${o.from}> RET=HDRS ENVID=smtpkit-probe`);
    if (!accepted(mail)) return fail(`DSN offered, yet MAIL with RET=HDRS ENVID=smtpkit-probe got ${shown(mail)}`);
    if (!ctx.facts.rcptAccepted) {
      return pass(`MAIL with RET=HDRS ENVID=… got ${shown(mail)}; NOTIFY/ORCPT not tried: RCPT TO:<${o.rcpt}> is not accepted (set --rcpt)`);
    }
    // An rfc822 ORCPT is an addr-spec; the bare "postmaster" of RFC 5321 §4.1.1.3 gets the server's domain.
    const original = o.rcpt.includes("@") ? o.rcpt : `${o.rcpt}@${caps.domain}`;
    const rcpt = await s.command(`RCPT TO:<${o.rcpt}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;${xtextEncode(original)}`);
    if (!accepted(rcpt)) return fail(`DSN offered, yet RCPT with NOTIFY=SUCCESS,FAILURE ORCPT=… got ${shown(rcpt)}`);
    return pass(`MAIL with RET/ENVID got ${mail.code}; RCPT with NOTIFY/ORCPT got ${rcpt.code}`);
  },
};

/** The chunk of the counting test: twelve octets that look like two commands. */
const CHUNK = "NOOP\r\nNOOP\r\n";

/**
 * RFC 3030 §2: BDAT's data is exactly chunk-size octets sent right after the command line, and the
 * server answers once per BDAT; data is never read as commands. §4: RSET discards the transaction
 * with its chunks. BDAT outside a transaction is a bad sequence (RFC 5321 §4.2.4: 503).
 */
export const chunkingCheck: CheckDefinition = {
  id: "extensions.chunking",
  area: "extensions",
  title: "CHUNKING: BDAT reads exactly chunk-size octets; BDAT 0 LAST needs a transaction",
  rfc: "RFC 3030 §2, §4",
  async run(ctx: CheckContext): Promise<Verdict> {
    const e = await sessionOffering(ctx, "CHUNKING", (c) => c.chunking);
    if (isVerdict(e)) return e;
    const { s } = e;
    const o = ctx.options;
    if (!ctx.facts.rcptAccepted) return notApplicable(`needs a recipient the server accepts: RCPT TO:<${o.rcpt}> was refused (set --rcpt)`);
    const mail = await s.command(`MAIL FROM:<${o.from}>`);
    if (!accepted(mail)) return fail(`MAIL FROM:<${o.from}> got ${shown(mail)}`);
    const rcpt = await s.command(`RCPT TO:<${o.rcpt}>`);
    if (!accepted(rcpt)) return notApplicable(`RCPT TO:<${o.rcpt}> got ${shown(rcpt)} this time; the check needs an accepted recipient`);
    // One write: a server that ignores the size reads the chunk as two NOOPs and answers three times.
    s.sendRaw(`BDAT ${Buffer.byteLength(CHUNK)}\r\n${CHUNK}`);
    const got = await readUpTo(s, 1);
    const all = got.length === 1 ? [...got, ...(await extraReplies(s))] : got;
    const first = all[0];
    if (first === undefined) return fail("no reply to BDAT 12 and its 12 octets");
    if (all.length > 1) return fail(`BDAT 12 with "NOOP\\r\\nNOOP\\r\\n" got ${all.length} replies (${codes(all)}): the chunk was read as commands`);
    if (!accepted(first)) return fail(`BDAT 12 inside a transaction got ${shown(first)}, not 250`);
    // RSET drops the transaction and the chunk: no message exists afterwards (RFC 3030 §4).
    const reset = await s.command("RSET");
    if (!accepted(reset)) return fail(`RSET after a BDAT chunk got ${shown(reset)}`);
    // BDAT 0 LAST goes on a fresh connection, where no transaction can exist whatever RSET did.
    const fresh = await esmtpSession(ctx);
    if (isVerdict(fresh)) return fail(`a second session could not start: ${fresh.summary}`);
    const last = await fresh.s.command("BDAT 0 LAST");
    let verdict: Verdict;
    if (cls(last) === 5) verdict = pass(`BDAT 12 answered once (${first.code}), RSET ${reset.code}; BDAT 0 LAST outside a transaction got ${shown(last)}`);
    else if (cls(last) === 4) verdict = warn(`BDAT 0 LAST outside a transaction got ${shown(last)}, a temporary refusal where 503 is due`);
    else return fail(`BDAT 0 LAST outside any transaction got ${shown(last)}: it was not refused`);
    if (o.deliver === undefined) return verdict;
    const delivered = await deliverByBdat(ctx, o.deliver);
    return delivered ?? verdict;
  },
};

/** --deliver only: a real transaction to that one address, sent in two BDAT chunks. */
async function deliverByBdat(ctx: CheckContext, to: string): Promise<Verdict | undefined> {
  const e = await esmtpSession(ctx);
  if (isVerdict(e)) return fail(`the delivery session could not start: ${e.summary}`);
  const { s } = e;
  const o = ctx.options;
  const mail = await s.command(`MAIL FROM:<${o.from}>`);
  if (!accepted(mail)) return fail(`--deliver: MAIL FROM:<${o.from}> got ${shown(mail)}`);
  const rcpt = await s.command(`RCPT TO:<${to}>`);
  if (!accepted(rcpt)) return fail(`--deliver: RCPT TO:<${to}> got ${shown(rcpt)}`);
  const body = [
    `From: <${o.from}>`,
    `To: <${to}>`,
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}`,
    "Subject: smtpkit probe: extensions.chunking",
    "",
    "Sent by smtpkit probe --deliver in two BDAT chunks.",
    "",
  ].join("\r\n");
  s.sendRaw(`BDAT ${Buffer.byteLength(body)}\r\n${body}`);
  const chunk = await s.read();
  if (!accepted(chunk)) return fail(`--deliver: BDAT ${Buffer.byteLength(body)} got ${shown(chunk)}`);
  const last = await s.command("BDAT 0 LAST");
  if (!accepted(last)) return fail(`--deliver: BDAT 0 LAST ending a real message got ${shown(last)}`);
  ctx.note(`message delivered to ${to} in two BDAT chunks`);
  return undefined;
}

/**
 * RFC 8689 §2: REQUIRETLS "MUST only be specified in the context of an SMTP session meeting the
 * security requirements of REQUIRETLS", the first being "The session itself MUST employ TLS
 * transmission"; after STARTTLS the server advertises it in the new EHLO reply. §4.1: a server that
 * accepts it takes on the duty to relay only over TLS. A server accepting REQUIRETLS in clear
 * accepts a promise the very session breaks (fail); offering it in clear invites clients to do so
 * (warn: the RFC binds the client there, not the server). RFC 8689 fixes no reply code for the
 * refusal: any 5xx passes (530 5.7.10 "encryption needed" is the usual one).
 */
export const requireTlsCheck: CheckDefinition = {
  id: "extensions.requiretls",
  area: "extensions",
  title: "REQUIRETLS: accepted inside TLS, never offered or accepted in clear",
  rfc: "RFC 8689 §2, §4.1",
  async run(ctx: CheckContext): Promise<Verdict> {
    const o = ctx.options;
    const from = `MAIL FROM:<${o.from}> REQUIRETLS`;
    const findings: string[] = [];
    let tlsOffered = false;
    let tlsProblem: Verdict | undefined;
    if (o.tls !== "none") {
      const e = await esmtpSession(ctx);
      if (!isVerdict(e) && e.s.secure) {
        tlsOffered = e.caps.requireTls;
        if (tlsOffered) {
          const r = await e.s.command(from);
          if (accepted(r)) findings.push(`inside TLS, MAIL … REQUIRETLS got ${r.code}`);
          else tlsProblem = fail(`REQUIRETLS offered inside TLS, yet MAIL … REQUIRETLS got ${shown(r)}`);
        } else findings.push("not offered inside TLS");
      }
    }
    // Implicit TLS has no cleartext session on this port to test.
    if (o.tls === "implicit") {
      if (tlsProblem !== undefined) return tlsProblem;
      return tlsOffered ? pass(findings.join("; ")) : notApplicable("REQUIRETLS is not offered");
    }
    const c = await esmtpSession(ctx, { tls: "none", starttls: false });
    if (isVerdict(c)) return tlsProblem ?? (tlsOffered ? pass(findings.join("; ")) : c);
    const clearOffered = c.caps.requireTls;
    const r = await c.s.command(from);
    if (accepted(r)) return fail(`in clear, MAIL … REQUIRETLS got ${shown(r)}: the server accepts REQUIRETLS on a session without TLS`);
    if (tlsProblem !== undefined) return tlsProblem;
    if (!tlsOffered && !clearOffered) return notApplicable(`REQUIRETLS is not offered (in clear, MAIL … REQUIRETLS got ${r.code})`);
    findings.push(`in clear, MAIL … REQUIRETLS got ${shown(r)}`);
    if (clearOffered) return warn(`REQUIRETLS is offered in clear, where RFC 8689 §2 forbids clients to use it; ${findings.join("; ")}`);
    if (cls(r) !== 5) return warn(`${findings.join("; ")}: a temporary refusal where the session can never qualify`);
    return pass(findings.join("; "));
  },
};
