/**
 * SMTP smuggling and bare line ends: does anything but CR LF "." CR LF end DATA, and does the server
 * take a bare LF for a line end in commands or in message content?
 *
 * RFC 5321 §2.3.8: "Conforming implementations MUST NOT recognize or generate any other character or
 * character sequence as a line terminator." §4.1.1.4: "the sequence "<LF>.<LF>" (bare line feeds,
 * without carriage returns) MUST NOT be treated as equivalent to <CRLF>.<CRLF> as the end of mail
 * data indication." SMTP smuggling (SEC Consult, December 2023; CVE-2023-51764 Postfix,
 * CVE-2023-51765 Sendmail, CVE-2023-51766 Exim) is what happens when a relay passes a fake end of
 * data through and the next server honours it: the bytes after it become a second, forged message.
 */
import type { ProbeSession } from "../session.js";
import { type CheckContext, type CheckDefinition, fail, notApplicable, type ProbeReply, pass, type Verdict, warn } from "../types.js";
import { cls, isVerdict, readySession, shown } from "./support.js";
import { starttlsInjectionChecks } from "./starttls-injection.js";

/** A non-CRLF end-of-data sequence. */
export interface SmugglingVariant {
  /** The id suffix: `security.smuggling.<name>`. */
  readonly name: string;
  readonly bytes: string;
  /** The bytes as RFC text writes them: "<LF>.<LF>". */
  readonly shown: string;
}

const v = (name: string, bytes: string, shownAs: string): SmugglingVariant => ({ name, bytes, shown: shownAs });

/**
 * The fake ends tried: every mix of bare CR, bare LF and CRLF around the dot, and a NUL next to the
 * dot (a server that drops NUL octets sees CRLF.CRLF). This is the set of Hanno Böck's `smtpsmug`
 * (published with the December 2023 disclosure); Postfix, Sendmail and Exim were vulnerable through
 * <LF>.<CR><LF> (and <LF>.<LF>), the sequences the CVEs name.
 */
export const SMUGGLING_VARIANTS: readonly SmugglingVariant[] = [
  v("lf-dot-lf", "\n.\n", "<LF>.<LF>"),
  v("lf-dot-crlf", "\n.\r\n", "<LF>.<CR><LF>"),
  v("crlf-dot-lf", "\r\n.\n", "<CR><LF>.<LF>"),
  v("lf-dot-cr", "\n.\r", "<LF>.<CR>"),
  v("cr-dot-cr", "\r.\r", "<CR>.<CR>"),
  v("cr-dot-crlf", "\r.\r\n", "<CR>.<CR><LF>"),
  v("crlf-dot-cr", "\r\n.\r", "<CR><LF>.<CR>"),
  v("cr-dot-lf", "\r.\n", "<CR>.<LF>"),
  v("crlf-nul-dot", "\r\n\x00.\r\n", "<CR><LF><NUL>.<CR><LF>"),
  v("crlf-dot-nul", "\r\n.\x00\r\n", "<CR><LF>.<NUL><CR><LF>"),
];

/** The line sent after the fake end: harmless if it is run as a command, which is what we look for. */
export const SMUGGLED_COMMAND = "NOOP\r\n";

/** The real end of data: the probe never sends it unless --deliver names the recipient. */
const END_OF_DATA = "\r\n.\r\n";

/**
 * MAIL FROM, RCPT TO:<rcpt>, DATA on a fresh session, up to the 354; or the n/a verdict saying which
 * step the server refused (the message would not get far enough to test anything).
 */
async function openData(ctx: CheckContext, rcpt: string): Promise<ProbeSession | Verdict> {
  const s = await readySession(ctx);
  if (isVerdict(s)) return s;
  const mail = await s.command(`MAIL FROM:<${ctx.options.from}>`);
  if (mail.code !== 250) return notApplicable(`MAIL FROM:<${ctx.options.from}> answered ${shown(mail)}`);
  const to = await s.command(`RCPT TO:<${rcpt}>`);
  // Never DATA after a recipient the server did not accept as its own.
  if (to.code !== 250 && to.code !== 251) return notApplicable(`RCPT TO:<${rcpt}> answered ${shown(to)}`);
  const data = await s.command("DATA");
  if (data.code !== 354) return notApplicable(`DATA answered ${shown(data)}, not 354`);
  return s;
}

/** A short message head (the transcript keeps 200 characters a line); it says what the message is. */
function head(ctx: CheckContext, subject: string): string {
  return `From: <${ctx.options.from}>\r\nSubject: smtpkit probe: ${subject}\r\n\r\n`;
}

/**
 * One check per fake end. On a fresh connection: MAIL, RCPT TO:<rcpt> (the --deliver address when
 * given, else --rcpt), DATA, then in ONE write a short message, the fake end and `NOOP`. A server that
 * keeps reading stays silent (pass); one that answers 250 there ended the message at the fake end, and
 * one that then answers the NOOP runs whatever follows it as commands (fail: a second message can be
 * smuggled). The connection is then dropped: the real CRLF.CRLF is never sent.
 *
 * A vulnerable server has stored a (harmless, self-describing) message for the recipient by then: the
 * summary and the transcript say so.
 */
function smugglingCheck(variant: SmugglingVariant): CheckDefinition {
  return {
    id: `security.smuggling.${variant.name}`,
    area: "security",
    title: `SMTP smuggling: ${variant.shown} does not end DATA`,
    rfc: "RFC 5321 §2.3.8, §4.1.1.4; CVE-2023-51764/51765/51766",
    async run(ctx) {
      const deliver = ctx.options.deliver;
      if (deliver === undefined && !ctx.facts.rcptAccepted) return notApplicable("needs a recipient the server accepts: --rcpt");
      const rcpt = deliver ?? ctx.options.rcpt;
      const s = await openData(ctx, rcpt);
      if (isVerdict(s)) return s;
      const payload = `${head(ctx, `smuggling test ${variant.shown}`)}If this arrived, DATA ended at the fake end.${variant.bytes}${SMUGGLED_COMMAND}`;
      // The safety rule, checked rather than trusted: no real end of data in what we send.
      if (`\r\n${payload}`.includes(END_OF_DATA)) throw new Error(`internal: the ${variant.name} payload holds CRLF.CRLF`);
      s.sendRaw(payload);
      ctx.note(`sent a message line, ${variant.shown} and NOOP<CR><LF> in one write`);
      const verdict = await judge(ctx, s, variant, rcpt);
      s.close();
      ctx.note("connection dropped before any real end of data (CRLF.CRLF never sent)");
      return verdict;
    },
  };
}

/** How many quiet windows a smuggling check waits for the reply that must not come. */
const SMUGGLING_WAIT_FACTOR = 2.5;

/** What came back after the fake end and the smuggled NOOP. */
async function judge(ctx: CheckContext, s: ProbeSession, variant: SmugglingVariant, rcpt: string): Promise<Verdict> {
  // "No reply" is the passing answer here, so wait longer than elsewhere: a vulnerable server that
  // stores the message before it answers (a content filter, a slow disk) must not pass by being slow.
  const first = await s.quiet(Math.round(ctx.options.quietWait * SMUGGLING_WAIT_FACTOR));
  if (first === undefined) {
    if (s.closed) return pass(`closed the connection without a reply after ${variant.shown}: no second message`);
    return pass(`no reply after ${variant.shown} and a NOOP line: still reading the message`);
  }
  const second = s.closed ? undefined : await s.quiet();
  // A 2xx at the fake end is a message accepted for the recipient: say so where the admin looks.
  const stored = cls(first) === 2 ? ` (a test message for <${rcpt}> may have been stored)` : "";
  if (stored !== "") ctx.note(`the server may have stored a test message for <${rcpt}>`);
  if (second !== undefined) {
    return fail(`ended DATA at ${variant.shown}: a second message can be smuggled (${shown(first)}, then ${shown(second)} to the NOOP after it)${stored}`);
  }
  if (cls(first) === 2) return fail(`ended DATA at ${variant.shown}: a second message can be smuggled (answered ${shown(first)})${stored}`);
  // The second wait ends early when the connection closes, so `closed` is settled by now.
  if (s.closed) {
    return pass(`refused ${variant.shown} with ${shown(first)} and closed the connection: nothing after it is run`);
  }
  // An error in mid-message that is not followed by the NOOP's reply: DATA did not go on as commands,
  // but where the server thinks the message ends is unclear.
  return warn(`answered ${shown(first)} in mid-message after ${variant.shown}, then nothing to the NOOP: where the message ends is unclear`);
}

/**
 * RFC 5321 §2.3.8: only CRLF ends a line. A server that runs `NOOP<LF>` as a command takes bare LF for
 * a line end; for commands that splits nothing (warn, not fail): the dangerous case, in DATA, is what
 * the smuggling checks try.
 */
const bareLfCommand: CheckDefinition = {
  id: "security.bare-lf-command",
  area: "security",
  title: "A bare LF does not end a command line",
  rfc: "RFC 5321 §2.3.8",
  async run(ctx) {
    const s = await readySession(ctx);
    if (isVerdict(s)) return s;
    s.sendRaw("NOOP\n");
    const r = await s.quiet();
    if (r === undefined) {
      return pass(s.closed ? "closed the connection after NOOP<LF>" : "no reply to NOOP<LF>: still waiting for CRLF");
    }
    if (cls(r) === 2) return warn(`treats a bare LF as the end of a command line (answered ${shown(r)} to NOOP<LF>)`);
    return pass(`refused NOOP<LF> with ${shown(r)}`);
  },
};

/**
 * RFC 5321 §2.3.8 (and RFC 5322 §2.3: "CR and LF MUST only occur together as CRLF"): a message with a
 * bare LF line end, properly ended by CRLF.CRLF, sent only to the --deliver address. Accepting it is
 * allowed in practice but is what lets a relay pass smuggling sequences on (warn); refusing is pass.
 */
const bareLfData: CheckDefinition = {
  id: "security.bare-lf-data",
  area: "security",
  title: "A message with bare LF line ends is refused",
  rfc: "RFC 5321 §2.3.8, §4.1.1.4; RFC 5322 §2.3",
  async run(ctx) {
    const deliver = ctx.options.deliver;
    if (deliver === undefined) return notApplicable("needs --deliver: the check completes a message");
    const s = await openData(ctx, deliver);
    if (isVerdict(s)) return s;
    // --deliver allows exactly this: one complete message to that address.
    s.sendRaw(`${head(ctx, "bare LF test")}This line ends with a bare LF.\nThis one with CRLF.${END_OF_DATA}`);
    const r: ProbeReply = await s.read();
    if (cls(r) === 2) return warn(`accepted a message with bare LF line ends (${shown(r)})`);
    if (cls(r) === 4) return notApplicable(`answered ${shown(r)} (a temporary refusal: try again later)`);
    return pass(`refused a message with bare LF line ends: ${shown(r)}`);
  },
};

export const smugglingChecks: readonly CheckDefinition[] = [
  ...SMUGGLING_VARIANTS.map(smugglingCheck),
  bareLfCommand,
  bareLfData,
  ...starttlsInjectionChecks,
];
