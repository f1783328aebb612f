/**
 * The probe: learn the server's basics on one connection, then run each selected check in turn, each
 * with its own time limit, its own connections (closed when it ends) and its own transcript, all under
 * one budget of connections and octets.
 */
import { isIP } from "node:net";
import { type Capabilities, parseCapabilities } from "@smtpkit/smtp-codec";
import { Secret } from "@smtpkit/smtp-sasl";
import { CHECKS } from "./checks/index.js";
import { ProbeError, type ProbeErrorCode } from "./errors.js";
import { ProbeSession, type SessionSetup } from "./session.js";
import { Budget, Transcript } from "./transcript.js";
import type {
  CheckContext,
  CheckDefinition,
  CheckResult,
  Facts,
  OpenOptions,
  ProbeOptions,
  ProbeReply,
  Report,
  ResolvedOptions,
  TranscriptLine,
  Verdict,
} from "./types.js";

/** Every check, in report order. */
export function listChecks(): readonly CheckDefinition[] {
  return CHECKS;
}

export function resolveOptions(o: ProbeOptions): ResolvedOptions {
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new ProbeError("invalid-options", `port must be 1-65535, not ${o.port}`);
  }
  const helo = o.helo ?? "smtpkit-probe.invalid";
  const only = o.only === undefined || o.only.length === 0 ? undefined : o.only;
  if (only !== undefined) selectChecks(only);
  return {
    host: o.host,
    port: o.port,
    tls: o.tls ?? "starttls",
    helo,
    from: o.from ?? `probe@${helo}`,
    rcpt: o.rcpt ?? "postmaster",
    foreignRcpt: o.foreignRcpt ?? "smtpkit-relay-probe@example.com",
    deliver: o.deliver,
    // Wrapped at once: from here on the password prints as [redacted].
    auth: o.auth === undefined ? undefined : { username: o.auth.username, password: Secret.from(o.auth.password) },
    only,
    checkTimeout: o.checkTimeout ?? 15_000,
    replyTimeout: o.replyTimeout ?? 5_000,
    quietWait: o.quietWait ?? 600,
    maxConnections: o.maxConnections ?? 80,
    maxBytes: o.maxBytes ?? 2 * 1024 * 1024,
    servername: o.servername ?? (isIP(o.host) === 0 ? o.host : undefined),
    ca: o.ca,
    signal: o.signal,
  };
}

/** The checks `only` names (ids or id prefixes); throws for an entry that names none. */
export function selectChecks(only: readonly string[] | undefined): CheckDefinition[] {
  if (only === undefined) return [...CHECKS];
  const matches = (id: string, want: string): boolean => id === want || id.startsWith(`${want}.`);
  for (const want of only) {
    if (!CHECKS.some((c) => matches(c.id, want))) {
      throw new ProbeError("invalid-options", `no check is called ${JSON.stringify(want)} (see the list of checks)`);
    }
  }
  return CHECKS.filter((c) => only.some((want) => matches(c.id, want)));
}

/** Run the probe. Rejects with ProbeError only when the server cannot be reached at all. */
export async function runProbe(options: ProbeOptions): Promise<Report> {
  const o = resolveOptions(options);
  const started = Date.now();
  const budget = new Budget(o.maxConnections, o.maxBytes);
  const facts = await discover(o, budget);
  const results: CheckResult[] = [];
  for (const check of selectChecks(o.only)) {
    if (o.signal?.aborted === true) break;
    results.push(await runCheck(check, o, facts, budget));
  }
  const count = (s: Verdict["status"]): number => results.filter((r) => r.status === s).length;
  return {
    target: `${o.host}:${o.port}`,
    tls: o.tls,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    greeting: facts.greeting.raw.join("\n"),
    capabilities: (facts.sessionEhlo ?? facts.ehlo)?.raw.slice(1).map((l) => l.slice(4)) ?? [],
    session: { secure: facts.tls !== undefined, tls: facts.tls },
    results,
    summary: { passed: count("pass"), failed: count("fail"), warnings: count("warn"), notApplicable: count("n/a") },
    budget: { connections: budget.connections, bytesSent: budget.bytesSent },
    discovery: facts.transcript,
  };
}

/** Capabilities of a server that refused EHLO: nothing offered. */
export const NO_CAPABILITIES: Capabilities = parseCapabilities({ code: 250, lines: ["unknown"] });

function capabilitiesOf(reply: ProbeReply | undefined): Capabilities {
  if (reply === undefined || reply.code !== 250) return NO_CAPABILITIES;
  return parseCapabilities(reply);
}

interface DiscoveredFacts extends Facts {
  readonly sessionEhlo: ProbeReply | undefined;
  /** What the first connection sent and saw: the evidence for checks judged from the facts alone. */
  readonly transcript: readonly TranscriptLine[];
}

/**
 * The first connection: greeting, EHLO, STARTTLS when the mode asks, and whether `rcpt` is accepted.
 * Only a missing greeting stops the probe; a malformed EHLO reply counts as refused (greeting.ehlo
 * reports it) and a failed STARTTLS handshake is recorded and the rest learnt in clear.
 */
async function discover(o: ResolvedOptions, budget: Budget): Promise<DiscoveredFacts> {
  const transcript = new Transcript();
  const signal = o.signal ?? new AbortController().signal;
  const sessions: ProbeSession[] = [];
  const connect = async (): Promise<ProbeSession> => {
    const s = await ProbeSession.connect(sessionSetup(o, budget, transcript, sessions.length + 1, signal, o.tls === "implicit"));
    sessions.push(s);
    return s;
  };
  /** EHLO, falling back to HELO; the EHLO reply when it was a well-formed 250. */
  const hello = async (s: ProbeSession): Promise<ProbeReply | undefined> => {
    const first = await s.command(`EHLO ${o.helo}`).catch(tolerate);
    if (first?.code === 250) return first;
    if (!s.closed) await s.command(`HELO ${o.helo}`).catch(tolerate);
    return undefined;
  };
  try {
    let s = await connect();
    const greeting = await s.read();
    let ehlo: ProbeReply | undefined;
    let sessionEhlo: ProbeReply | undefined;
    let tls = s.tls;
    let starttlsError: string | undefined;
    let mail: ProbeReply | undefined;
    let rcpt: ProbeReply | undefined;
    if (greeting.code === 220) {
      ehlo = await hello(s);
      sessionEhlo = ehlo;
      if (o.tls === "starttls" && capabilitiesOf(ehlo).startTls) {
        const r = await s.command("STARTTLS").catch(tolerate);
        if (r?.code === 220) {
          try {
            tls = await s.startTls();
            sessionEhlo = await hello(s);
          } catch (err) {
            if (!ProbeError.isInstance(err)) throw err;
            starttlsError = err.message;
          }
        } else {
          starttlsError = r === undefined ? "no usable reply to STARTTLS" : `STARTTLS answered ${r.code} ${r.lines.join(" ")}`;
        }
        if (starttlsError !== undefined) {
          // Learn the rest in clear; checks then stay in clear unless they ask for STARTTLS.
          s.close();
          s = await connect();
          await s.read();
          sessionEhlo = await hello(s);
        }
      }
      if (!s.closed) mail = await s.command(`MAIL FROM:<${o.from}>`).catch(tolerate);
      if (mail?.code === 250) rcpt = await s.command(`RCPT TO:<${o.rcpt}>`).catch(tolerate);
      if (!s.closed) s.send("QUIT");
    }
    const capabilities = capabilitiesOf(ehlo);
    return {
      greeting,
      ehlo,
      sessionEhlo,
      capabilities,
      sessionCapabilities: capabilitiesOf(sessionEhlo),
      tls: starttlsError === undefined ? tls : undefined,
      starttlsOffered: capabilities.startTls,
      ...(starttlsError === undefined ? {} : { starttlsError }),
      mail,
      rcpt,
      rcptAccepted: rcpt !== undefined && rcpt.code >= 250 && rcpt.code <= 251,
      transcript: transcript.finish(),
    };
  } finally {
    for (const s of sessions) s.close();
  }
}

/** A catch handler that turns a ProbeError of one of `codes` into undefined (a reply that did not come or could not be read). */
function tolerating(...codes: ProbeErrorCode[]): (err: unknown) => undefined {
  return (err) => {
    if (ProbeError.isInstance(err) && codes.includes(err.code)) return undefined;
    throw err;
  };
}

/** During discovery a missing or unreadable reply is a fact to record, not a reason to stop. */
const tolerate = tolerating("bad-reply", "closed", "timeout");
/** In a check's session a malformed EHLO reply counts as a refusal; greeting.ehlo reports it. */
const tolerateBadReply = tolerating("bad-reply");

function sessionSetup(o: ResolvedOptions, budget: Budget, transcript: Transcript, conn: number, signal: AbortSignal, implicitTls: boolean): SessionSetup {
  return {
    host: o.host,
    port: o.port,
    implicitTls,
    servername: o.servername,
    ca: o.ca,
    replyTimeout: o.replyTimeout,
    quietWait: o.quietWait,
    signal,
    transcript,
    conn,
    budget,
  };
}

async function runCheck(check: CheckDefinition, o: ResolvedOptions, facts: DiscoveredFacts, budget: Budget): Promise<CheckResult> {
  const started = Date.now();
  const transcript = new Transcript();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), o.checkTimeout);
  const stop = (): void => controller.abort();
  o.signal?.addEventListener("abort", stop, { once: true });
  const sessions: ProbeSession[] = [];
  const signal = controller.signal;

  const open = async (how: OpenOptions = {}): Promise<ProbeSession> => {
    const implicit = (how.tls ?? (o.tls === "implicit" ? "implicit" : "none")) === "implicit";
    const setup = sessionSetup(o, budget, transcript, sessions.length + 1, signal, implicit);
    const s = await ProbeSession.connect(how.tlsKnobs === undefined ? setup : { ...setup, tlsKnobs: how.tlsKnobs });
    sessions.push(s);
    if (how.greet === false) return s;
    s.greeting = await s.read();
    const hello = how.hello ?? "EHLO";
    if (s.greeting.code !== 220 || hello === false) return s;
    // A malformed EHLO reply counts as a refusal here; greeting.ehlo is the check that reports it.
    const first = hello === "EHLO" ? await s.command(`EHLO ${o.helo}`).catch(tolerateBadReply) : await s.command(`HELO ${o.helo}`);
    if (first !== undefined) s.ehlo = first;
    if (hello === "EHLO" && first?.code !== 250) {
      s.ehlo = await s.command(`HELO ${o.helo}`);
      s.capabilities = NO_CAPABILITIES;
      return s;
    }
    s.capabilities = hello === "EHLO" ? capabilitiesOf(s.ehlo) : NO_CAPABILITIES;
    const wantTls = how.starttls ?? (o.tls === "starttls" && facts.starttlsError === undefined);
    if (wantTls && !implicit && s.capabilities.startTls) {
      const r = await s.command("STARTTLS");
      if (r.code === 220) {
        await s.startTls(how.tlsKnobs);
        s.ehlo = await s.command(`EHLO ${o.helo}`);
        s.capabilities = capabilitiesOf(s.ehlo);
      }
    }
    return s;
  };

  const ctx: CheckContext = {
    options: o,
    facts,
    signal,
    open,
    note: (text) => transcript.add(0, "-", text),
    takeConnection: () => budget.takeConnection(),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(new ProbeError("aborted", "the check's time is up"));
        const t = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        const onAbort = (): void => {
          clearTimeout(t);
          reject(new ProbeError("aborted", "the check's time is up"));
        };
        signal.addEventListener("abort", onAbort, { once: true });
      }),
  };

  let verdict: Verdict;
  try {
    verdict = await check.run(ctx);
  } catch (err) {
    verdict = errorVerdict(err, o);
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", stop);
    for (const s of sessions) s.close();
  }
  return {
    id: check.id,
    area: check.area,
    title: check.title,
    rfc: check.rfc,
    status: verdict.status,
    summary: verdict.summary,
    durationMs: Date.now() - started,
    transcript: evidence(transcript.finish(), facts),
  };
}

/** A check that opened no connection was judged from discovery: show that connection instead. */
function evidence(lines: TranscriptLine[], facts: DiscoveredFacts): readonly TranscriptLine[] {
  if (lines.some((l) => l.dir !== "-")) return lines;
  return [...lines, { conn: 0, dir: "-", text: "judged from the probe's first connection:" }, ...facts.transcript];
}

/** A check that threw: the server did something the check did not plan for. */
function errorVerdict(err: unknown, o: ResolvedOptions): Verdict {
  if (!ProbeError.isInstance(err)) return { status: "fail", summary: `the check could not finish: ${String(err)}` };
  switch (err.code) {
    case "aborted":
      return { status: "fail", summary: `the check did not finish within ${o.checkTimeout} ms` };
    case "timeout":
      return { status: "fail", summary: `the server did not answer: ${err.message}` };
    case "closed":
      return { status: "fail", summary: "the server closed the connection before the check could finish" };
    case "bad-reply":
      return { status: "fail", summary: `the server sent a malformed reply: ${err.message}` };
    default:
      return { status: "fail", summary: `the check could not finish (${err.code}): ${err.message}` };
  }
}
