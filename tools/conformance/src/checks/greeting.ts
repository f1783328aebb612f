/**
 * Greeting and EHLO: the 220 banner, the EHLO reply's syntax, HELO for old clients, and the list of
 * capabilities the server offers before and after STARTTLS.
 */
import { isAddressLiteral, isDomain } from "@smtpkit/smtp-codec";
import { ProbeError } from "../errors.js";
import type { ProbeSession } from "../session.js";
import { type CheckDefinition, fail, notApplicable, type ProbeReply, pass, type Verdict, warn } from "../types.js";
import { shown } from "./support.js";

/** The first word of a 220/250 first line: `Domain / address-literal` (RFC 5321 §4.2, §4.1.1.1). */
function firstWord(r: ProbeReply): string {
  return (r.raw[0] ?? "").slice(4).split(" ")[0] ?? "";
}

function namesHost(word: string): boolean {
  return isDomain(word) || isAddressLiteral(word);
}

/**
 * Greeting = "220 " (Domain / address-literal) [ SP textstring ] CRLF (multi-line form allowed)
 * (RFC 5321 §4.2). "the SMTP server ... MAY ... respond with a 554 reply" instead of 220 to refuse
 * the session (§3.1); anything else is not a greeting.
 */
const banner: CheckDefinition = {
  id: "greeting.banner",
  area: "greeting",
  title: "220 greeting",
  rfc: "RFC 5321 §3.1, §4.2, §2.3.8",
  async run(ctx) {
    const g = ctx.facts.greeting;
    if (g.code === 554) return fail(`greeted with ${shown(g)}: the server refuses service to this client`);
    if (g.code !== 220) return fail(`greeted with ${shown(g)}: a greeting must be 220 (or 554 to refuse)`);
    // Lines end with CRLF and nothing else (§2.3.8); clients may be strict about it.
    if (g.bareLf) return warn(`greeted with ${shown(g)}, but a line ended with a bare LF instead of CRLF`);
    const word = firstWord(g);
    if (!namesHost(word)) return warn(`greeted with ${shown(g)}: the first word is not the server's domain or address literal (RFC 5321 §4.2)`);
    return pass(`greeted with ${shown(g)}${g.raw.length > 1 ? ` (${g.raw.length} lines)` : ""}`);
  },
};

/** Problems of one EHLO reply (a 250 that parsed): bare LF, a first line that does not name a host. */
function ehloProblem(r: ProbeReply, when: string): Verdict | undefined {
  const word = firstWord(r);
  if (!namesHost(word)) {
    return fail(`the EHLO reply ${when}starts with ${JSON.stringify(word)}, not a domain or address literal (RFC 5321 §4.1.1.1)`);
  }
  if (r.bareLf) return warn(`the EHLO reply ${when}has a line ending in a bare LF instead of CRLF (RFC 5321 §2.3.8)`);
  return undefined;
}

/** EHLO; a reply that is not a reply (mixed codes, a final line too early) is a verdict. */
async function ehloOn(s: ProbeSession, helo: string, when: string): Promise<ProbeReply | Verdict> {
  try {
    return await s.command(`EHLO ${helo}`);
  } catch (err) {
    if (ProbeError.isInstance(err) && err.code === "bad-reply") {
      return fail(`malformed EHLO reply ${when}(RFC 5321 §4.2.1: same code on every line, "-" on all but the last): ${err.message}`);
    }
    throw err;
  }
}

const isReply = (x: ProbeReply | Verdict): x is ProbeReply => "code" in x;

/**
 * ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *             / ( "250-" Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF )
 * (RFC 5321 §4.1.1.1). "servers MUST support the EHLO command even if they do not implement any
 * specific extensions" (§2.2.1). Judged on the first EHLO and, in STARTTLS mode, on the one after it.
 */
const ehlo: CheckDefinition = {
  id: "greeting.ehlo",
  area: "greeting",
  title: "EHLO reply syntax",
  rfc: "RFC 5321 §2.2.1, §4.1.1.1, §4.2.1",
  async run(ctx) {
    const s = await ctx.open({ hello: false });
    if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
    const first = await ehloOn(s, ctx.options.helo, "");
    if (!isReply(first)) return first;
    if (first.code !== 250) return fail(`refused EHLO with ${shown(first)}: every RFC 5321 server must support EHLO (§2.2.1)`);
    const problem = ehloProblem(first, "");
    if (problem?.status === "fail") return problem;
    let after: ProbeReply | undefined;
    if (ctx.options.tls === "starttls" && !s.secure && first.lines.slice(1).some((l) => l.trim().toUpperCase() === "STARTTLS")) {
      const r = await s.command("STARTTLS");
      let upgraded = false;
      if (r.code === 220) {
        try {
          await s.startTls();
          upgraded = true;
        } catch (err) {
          // The handshake is judged by the TLS checks; this one still judges the cleartext EHLO.
          if (!ProbeError.isInstance(err) || err.code !== "tls-failed") throw err;
          ctx.note(`TLS handshake failed (${err.message}): only the cleartext EHLO reply is judged here`);
        }
      } else {
        ctx.note(`STARTTLS answered ${r.code}: only the cleartext EHLO reply is judged here`);
      }
      if (upgraded) {
        const again = await ehloOn(s, ctx.options.helo, "after STARTTLS ");
        if (!isReply(again)) return again;
        if (again.code !== 250) return fail(`refused EHLO after STARTTLS with ${shown(again)} (RFC 3207 §4.2: the client sends EHLO again)`);
        const p = ehloProblem(again, "after STARTTLS ");
        if (p !== undefined && (p.status === "fail" || problem === undefined)) return p;
        after = again;
      }
    }
    if (problem !== undefined) return problem;
    const lines = (r: ProbeReply): string => `${r.raw.length} line${r.raw.length === 1 ? "" : "s"}`;
    return pass(
      `EHLO answered 250 from ${JSON.stringify(firstWord(first))} (${lines(first)}${after === undefined ? "" : `; ${lines(after)} after STARTTLS`}), well-formed`,
    );
  },
};

/**
 * helo = "HELO" SP Domain CRLF: "servers MUST support the HELO command and reply properly to it"
 * (RFC 5321 §4.1.1.1), and "Servers MUST NOT return the extended EHLO-style response to a HELO
 * command" (§3.2).
 */
const helo: CheckDefinition = {
  id: "greeting.helo",
  area: "greeting",
  title: "HELO for older clients",
  rfc: "RFC 5321 §4.1.1.1, §3.2",
  async run(ctx) {
    const s = await ctx.open({ hello: false });
    if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
    const r = await s.command(`HELO ${ctx.options.helo}`);
    if (r.code !== 250) return fail(`answered ${shown(r)} to HELO: servers must support HELO (RFC 5321 §4.1.1.1)`);
    if (r.raw.length > 1) return fail(`answered HELO with a ${r.raw.length}-line EHLO-style reply, which RFC 5321 §3.2 forbids`);
    return pass(`answered ${shown(r)} to HELO`);
  },
};

/** ehlo-line = ehlo-keyword *( SP ehlo-param ); ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); ehlo-param = 1*(%d33-126) */
const EHLO_LINE = /^[A-Za-z0-9][A-Za-z0-9-]*(?: [\x21-\x7e]+)*$/;
/** `AUTH=LOGIN PLAIN`: the pre-RFC 2554 form some servers still add for old Outlook clients. */
const LEGACY_AUTH = /^AUTH=[\x21-\x7e]*(?: [\x21-\x7e]+)*$/i;

interface Listing {
  readonly lines: readonly string[];
  readonly repeated: readonly string[];
  readonly invalid: readonly string[];
  readonly legacy: boolean;
}

/** The extension lines of a 250 EHLO reply (the first line is the domain), judged against ehlo-line. */
function listing(r: ProbeReply): Listing {
  const lines = r.raw.slice(1).map((l) => l.slice(4));
  const seen = new Set<string>();
  const repeated: string[] = [];
  const invalid: string[] = [];
  let legacy = false;
  for (const line of lines) {
    if (LEGACY_AUTH.test(line)) {
      legacy = true;
      continue;
    }
    if (!EHLO_LINE.test(line)) {
      invalid.push(line);
      continue;
    }
    // Keywords are case-insensitive (RFC 5321 §2.4).
    const keyword = (line.split(" ")[0] ?? "").toUpperCase();
    if (seen.has(keyword) && !repeated.includes(keyword)) repeated.push(keyword);
    seen.add(keyword);
  }
  return { lines, repeated, invalid, legacy };
}

/** `A, B, C` with the after-STARTTLS list shown as a difference when there is one. */
function describe(before: Listing, after: Listing | undefined): string {
  const list = (ls: readonly string[]): string => (ls.length === 0 ? "no extensions" : ls.join(", "));
  if (after === undefined) return list(before.lines);
  const added = after.lines.filter((l) => !before.lines.includes(l));
  const removed = before.lines.filter((l) => !after.lines.includes(l));
  const diff = [...added.map((l) => `+${l}`), ...removed.map((l) => `-${l}`)];
  return `${list(before.lines)}; after STARTTLS ${diff.length === 0 ? "the same" : diff.join(", ")}`;
}

/**
 * The capabilities, listed; "ehlo-line = ehlo-keyword *( SP ehlo-param )" (RFC 5321 §4.1.1.1, after
 * RFC 1869 §4.3), each extension once. A keyword listed twice or a line that is not an ehlo-line
 * leaves clients guessing which one counts: warn.
 */
const capabilities: CheckDefinition = {
  id: "greeting.capabilities",
  area: "greeting",
  title: "Capabilities offered",
  rfc: "RFC 5321 §4.1.1.1, RFC 1869 §4.3",
  async run(ctx) {
    const first = ctx.facts.ehlo;
    if (first === undefined) return notApplicable("EHLO was refused: no capabilities to list");
    const before = listing(first);
    let after: Listing | undefined;
    if (ctx.options.tls === "starttls" && ctx.facts.starttlsOffered) {
      // A session upgraded the way the probe's mode says: its EHLO is the one after STARTTLS.
      const s = await ctx.open().catch((err: unknown) => {
        // A failed handshake is the TLS checks' finding; the cleartext list still stands.
        if (ProbeError.isInstance(err) && err.code === "tls-failed") return undefined;
        throw err;
      });
      if (s?.secure === true && s.ehlo?.code === 250) after = listing(s.ehlo);
      else ctx.note("the STARTTLS upgrade did not happen: only the cleartext capabilities are listed");
    }
    const summary = describe(before, after);
    const problems: string[] = [];
    for (const [l, when] of [[before, ""], [after, " after STARTTLS"]] as const) {
      if (l === undefined) continue;
      if (l.repeated.length > 0) problems.push(`${l.repeated.join(", ")} listed more than once${when}`);
      if (l.invalid.length > 0) problems.push(`not an ehlo-line${when}: ${l.invalid.map((x) => JSON.stringify(x)).join(", ")}`);
    }
    if (problems.length > 0) return warn(`${problems.join("; ")} — offers ${summary}`);
    const legacy = before.legacy || after?.legacy === true ? " (plus a legacy AUTH= line)" : "";
    return pass(`offers ${summary}${legacy}`);
  },
};

export const greetingChecks: readonly CheckDefinition[] = [banner, ehlo, helo, capabilities];
