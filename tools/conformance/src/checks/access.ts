/**
 * Who may use the server: AUTH before TLS, relaying for strangers, password guessing, and clients that
 * talk before the greeting. Every credential sent here is invented on the spot; no message is started
 * for a foreign recipient (RSET right after the RCPT).
 */
import { randomBytes } from "node:crypto";
import { encodeBase64 } from "@smtpkit/smtp-codec";
import { createClientMechanism, isPlaintextMechanism } from "@smtpkit/smtp-sasl";
import { ProbeError } from "../errors.js";
import { type CheckDefinition, fail, notApplicable, type ProbeReply, pass, type Verdict, warn } from "../types.js";
import { attempt } from "./sasl-exchange.js";
import { cls, shown } from "./support.js";

/** `\0smtpkit-probe\0not-a-password` (RFC 4616 message: authzid NUL authcid NUL passwd), invented. */
const PLAIN_PROBE = encodeBase64(new TextEncoder().encode("\0smtpkit-probe\0not-a-password"));

/** Replies that refuse AUTH before looking at the credentials (RFC 4954 §6; RFC 5321 §4.2.4). */
const REFUSED_UNREAD = new Set([500, 501, 502, 503, 504, 530, 534, 538]);

/**
 * RFC 4954 §4: "A server implementation MUST implement a configuration in which it does NOT permit
 * any plaintext password mechanisms, unless either the STARTTLS [SMTP-TLS] command has been
 * negotiated or some other mechanism that protects the session from password snooping has been
 * provided. Server sites SHOULD NOT use any configuration which permits a plaintext password
 * mechanism without such a protection mechanism." §6 (538): "Modern implementations SHOULD NOT
 * advertise mechanisms that are not permitted due to lack of encryption". Offering PLAIN/LOGIN in
 * clear, or checking a password sent in clear (535), hands passwords to anyone on the path.
 */
const authBeforeTls: CheckDefinition = {
  id: "security.auth-before-tls",
  area: "security",
  title: "No plaintext AUTH before TLS",
  rfc: "RFC 4954 §4, §6, §9",
  async run(ctx) {
    if (ctx.options.tls === "implicit") return notApplicable("the server is probed with implicit TLS: there is no cleartext session");
    const s = await ctx.open({ tls: "none", starttls: false });
    if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
    const offered = s.capabilities?.auth ?? [];
    const plaintext = offered.filter((m) => isPlaintextMechanism(m));
    // The invented credentials travel in clear on purpose: they show whether the server would read real ones.
    let r: ProbeReply;
    try {
      r = await s.command(`AUTH PLAIN ${PLAIN_PROBE}`);
    } catch (err) {
      if (!(ProbeError.isInstance(err) && err.code === "closed")) throw err;
      if (plaintext.length > 0) return fail(`offers plaintext password mechanisms before TLS (AUTH ${offered.join(" ")})`);
      return pass("closed the connection on AUTH PLAIN in clear");
    }
    let answer: string;
    let leaked: boolean;
    if (r.code === 334) {
      s.send("*");
      const after = await s.read();
      answer = `asked for the PLAIN credentials in clear (${shown(r)}; cancelled: ${shown(after)})`;
      leaked = true;
    } else if (cls(r) === 2) {
      answer = `accepted invented credentials sent in clear (${shown(r)})`;
      leaked = true;
    } else if (r.code === 535) {
      answer = `checked a password sent in clear (${shown(r)})`;
      leaked = true;
    } else {
      answer = `${REFUSED_UNREAD.has(r.code) ? "refused" : "answered"} AUTH PLAIN in clear with ${shown(r)}`;
      leaked = false;
    }
    if (plaintext.length > 0) {
      // Refusing afterwards is too late: a client that believes the offer has already sent the
      // password (PLAIN's initial response) in clear (RFC 4954 §6: do not advertise them).
      const why = leaked ? "" : ": a client that takes the offer sends its password in clear before that refusal";
      return fail(`offers plaintext password mechanisms before TLS (AUTH ${offered.join(" ")}) and ${answer}${why}`);
    }
    if (leaked) return fail(`PLAIN is not advertised before TLS, but the server ${answer}`);
    if (!REFUSED_UNREAD.has(r.code)) return warn(`${answer}: not a clear refusal (538 5.7.11 or 502/503/504 expected)`);
    const before = offered.length === 0 ? "AUTH not offered before TLS" : `only AUTH ${offered.join(" ")} offered before TLS`;
    return pass(`${before}; ${answer}`);
  },
};

/**
 * RFC 5321 §3.6.2: "The relay server may accept or reject the task of relaying the mail in the same
 * way it accepts or rejects mail for a local user ... If it declines to relay mail to a particular
 * address for policy reasons, a 550 response SHOULD be returned." RFC 2505 §2.1 (BCP 30): an MTA
 * "MUST be able to restrict unauthorized use as Mail Relay". Only MAIL and RCPT are sent: never DATA
 * after a foreign recipient.
 */
const openRelay: CheckDefinition = {
  id: "security.open-relay",
  area: "security",
  title: "No open relay",
  rfc: "RFC 5321 §3.6.2; RFC 2505 §2.1",
  async run(ctx) {
    const s = await ctx.open();
    if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
    const foreign = ctx.options.foreignRcpt;
    const mail = await s.command(`MAIL FROM:<${ctx.options.from}>`);
    if (cls(mail) !== 2) return notApplicable(`MAIL FROM:<${ctx.options.from}> was refused (${shown(mail)}): no transaction to try a foreign recipient in`);
    let rcpt: ProbeReply;
    try {
      rcpt = await s.command(`RCPT TO:<${foreign}>`);
    } catch (err) {
      if (ProbeError.isInstance(err) && err.code === "closed") return pass(`closed the connection on RCPT TO:<${foreign}>: no relaying`);
      throw err;
    }
    // Drop the transaction at once; DATA never follows a foreign recipient.
    if (!s.closed) await s.command("RSET").catch(() => undefined);
    const said = `answered ${shown(rcpt)} to RCPT TO:<${foreign}>`;
    // From outside, relaying and a catch-all sink that keeps everything look the same: both take the
    // foreign recipient. A server facing the Internet must refuse it, so this is a failure either way.
    if (cls(rcpt) === 2) {
      return fail(`${said}: accepted mail for a foreign domain from an unauthenticated client: open relay (or a catch-all sink that keeps it)`);
    }
    if (cls(rcpt) === 4) return warn(`${said}: a temporary refusal (greylisting?); the probe cannot tell whether it would relay later`);
    if (cls(rcpt) === 5) return pass(`${said}: refuses to relay for an unauthenticated client`);
    return fail(`${said}: not a reply to RCPT (RFC 5321 §4.3.2)`);
  },
};

/** Preferred mechanisms for failed attempts: simplest first (only invented credentials are sent). */
const GUESS_MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-1"];
const MAX_ATTEMPTS = 6;
/** A failure answered this late counts as deliberately slowed down: about a second, less timer jitter. */
const SLOW_MS = 900;
/** A 4xx, or a 5xx that says so, ends the guessing on purpose. */
const refusesMore = (r: ProbeReply): boolean => cls(r) === 4 || /too many|limit|later|blocked/i.test(r.lines.join(" "));

/**
 * RFC 4954 §9: "Servers MAY implement a policy whereby the connection is dropped after a number of
 * failed authentication attempts. If they do so, they SHOULD NOT drop the connection until at least
 * 3 attempts to authenticate have failed." No RFC requires throttling; it is the usual defence
 * against password guessing (slow each 535 down, or close after a few), so its absence is a warning.
 */
const authThrottle: CheckDefinition = {
  id: "security.auth-throttle",
  area: "security",
  title: "Failed AUTH attempts are throttled",
  rfc: "RFC 4954 §9 (best practice)",
  async run(ctx) {
    const s = await ctx.open();
    if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
    const offered = s.capabilities?.auth ?? [];
    if (offered.length === 0) return notApplicable(`AUTH is not offered${s.secure ? " after TLS" : ""} in the probe's session`);
    const name = GUESS_MECHANISMS.find((m) => offered.includes(m));
    if (name === undefined) return notApplicable(`AUTH offers only ${offered.join(" ")}: no password mechanism the probe can fail with`);
    const times: number[] = [];
    for (let n = 1; n <= MAX_ATTEMPTS; n++) {
      const credentials = { username: `smtpkit-probe-${randomBytes(4).toString("hex")}`, password: randomBytes(12).toString("base64url") };
      // The credentials are random, so sending them in clear (probe mode "none") reveals nothing.
      const mech = createClientMechanism(name, credentials, { encrypted: s.secure }, { allowPlaintext: true, offered });
      let result: { reply: ProbeReply; ms: number };
      try {
        result = await attempt(s, mech);
      } catch (err) {
        if (ProbeError.isInstance(err) && err.code === "closed") return closedAfter(n - 1, times);
        throw err;
      }
      const { reply, ms } = result;
      ctx.note(`attempt ${n}: ${shown(reply)} after ${ms} ms`);
      if (cls(reply) === 2) return fail(`AUTH ${name} accepted invented credentials (${shown(reply)}): anyone can authenticate`);
      if (n > 1 && refusesMore(reply)) return pass(`after ${n - 1} failed AUTH ${name} attempts the server answered ${shown(reply)}`);
      if (n === 1 && reply.code !== 535 && !refusesMore(reply)) {
        return notApplicable(`AUTH ${name} with invented credentials was answered ${shown(reply)}, not 535: cannot count failures`);
      }
      times.push(ms);
      if (s.closed) return closedAfter(n, times);
      // Three failures each slowed by a second or more is evidence enough; no need to wait longer.
      if (times.length >= 3 && times.every((t) => t >= SLOW_MS)) {
        const slowed = `each failed AUTH ${name} was answered only after a delay (${roughly(times)})`;
        // A server that also drops the session says so right after the third 535.
        const bye = await s.quiet();
        if (bye !== undefined) return pass(`${slowed}, then the server answered ${shown(bye)}`);
        if (s.closed) return pass(`${slowed}, then the server closed the connection`);
        return pass(`${slowed}: guessing is slowed down`);
      }
    }
    if (times.some((t) => t >= SLOW_MS)) return pass(`${MAX_ATTEMPTS} failed AUTH ${name} attempts, some slowed down (${roughly(times)})`);
    // The measured times are in the transcript; the summary stays the same from run to run.
    return warn(
      `${MAX_ATTEMPTS} failed AUTH ${name} attempts on one connection, each answered at once, and the session stays open: password guessing is not throttled`,
    );
  },
};

/**
 * Delays for a summary, to the second ("about 1 s each"): the exact milliseconds are in the
 * transcript, and a summary that changed from run to run would make reports impossible to compare.
 */
function roughly(times: readonly number[]): string {
  const secs = times.map((t) => Math.round(t / 1000));
  const first = secs[0] ?? 0;
  return secs.every((x) => x === first) ? `about ${first} s each` : `about ${secs.join(", ")} s`;
}

function closedAfter(failures: number, times: readonly number[]): Verdict {
  const slow = times.some((t) => t >= SLOW_MS) ? ` (failures answered after ${roughly(times)})` : "";
  // RFC 4954 §9 asks servers not to drop before 3 failures; dropping earlier is still safe.
  const early = failures < 3 ? "; RFC 4954 §9 asks for at least 3 tries before that" : "";
  return pass(`the server closed the connection after ${failures} failed AUTH attempt${failures === 1 ? "" : "s"}${slow}${early}`);
}

/**
 * RFC 5321 §3.1: a session starts when "the server responds with an opening message", and §3.2:
 * "Once the server has sent the greeting (welcoming) message and the client has received it, the
 * client normally sends the EHLO command"; replies come in order (§4.3.1). A client that talks first
 * is a bulk mailer that does not read replies; pregreet tests (Postfix postscreen) catch it by pausing
 * before the greeting. Not a MUST for servers, so answering it is a warning, not a failure.
 */
const earlyTalker: CheckDefinition = {
  id: "security.early-talker",
  area: "security",
  title: "Clients that talk before the greeting",
  rfc: "RFC 5321 §3.1, §3.2, §4.3.1",
  async run(ctx) {
    const s = await ctx.open({ greet: false });
    s.sendRaw(`EHLO ${ctx.options.helo}\r\n`);
    let greeting: ProbeReply;
    try {
      greeting = await s.read();
    } catch (err) {
      if (ProbeError.isInstance(err) && err.code === "closed") return pass("closed the connection on a client that talked before the greeting");
      throw err;
    }
    if (cls(greeting) === 5) return pass(`rejects clients that talk before the greeting (${shown(greeting)})`);
    if (cls(greeting) === 4) return pass(`answered ${shown(greeting)} to a client that talked before the greeting (a 4xx may also mean the server is busy)`);
    if (greeting.code !== 220) return fail(`greeted with ${shown(greeting)}: not a greeting (RFC 5321 §4.2)`);
    let answer: ProbeReply | undefined;
    try {
      answer = await s.read();
    } catch (err) {
      if (ProbeError.isInstance(err) && err.code === "closed") return pass("greeted, then closed the connection on a client that talked before the greeting");
      throw err;
    }
    if (cls(answer) !== 2) return pass(`greeted, then refused the early EHLO with ${shown(answer)}`);
    return warn(
      `answered ${shown(answer)} to an EHLO sent before the greeting; a server that pauses before greeting can catch spam bots that talk first`,
    );
  },
};

export const accessChecks: readonly CheckDefinition[] = [authBeforeTls, openRelay, authThrottle, earlyTalker];
