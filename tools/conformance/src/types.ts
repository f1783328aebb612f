/** The shapes every check, the runner and the report share. */
import type { Capabilities, Reply } from "@smtpkit/smtp-codec";
import type { Secret } from "@smtpkit/smtp-sasl";
import type { ProbeSession, TlsKnobs } from "./session.js";

/** A check's verdict. `warn`: allowed by the RFCs but weak or risky; `n/a`: the check does not apply. */
export type Status = "pass" | "fail" | "warn" | "n/a";

/** The report's groups, in the order they are printed. */
export type Area = "greeting" | "commands" | "extensions" | "security";

export const AREA_TITLES: Readonly<Record<Area, string>> = {
  greeting: "Greeting and EHLO",
  commands: "Command handling",
  extensions: "Extensions",
  security: "Security",
};

/** How the probe reaches the server: TLS at connect, STARTTLS when offered, or never TLS. */
export type TlsMode = "implicit" | "starttls" | "none";

export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** Default "starttls": upgrade with STARTTLS when the server offers it, else stay in clear. */
  readonly tls?: TlsMode;
  /** EHLO/HELO argument. Default "smtpkit-probe.invalid". */
  readonly helo?: string;
  /** Reverse-path for transactions. Default `probe@<helo>`. */
  readonly from?: string;
  /**
   * A recipient the server accepts (a mailbox you own on it). Default "postmaster" (RFC 5321 §4.5.1:
   * every server must accept it). Messages are never completed to it unless `deliver` is set.
   */
  readonly rcpt?: string;
  /** A recipient in a domain the server must not relay to. Default "smtpkit-relay-probe@example.com". */
  readonly foreignRcpt?: string;
  /** When set, checks that must complete a message (final dot, `BDAT LAST`) send it to this address only. */
  readonly deliver?: string;
  /**
   * An account on the server, for `extensions.auth` (each offered mechanism must accept it). Used only
   * over TLS for plaintext mechanisms; never printed (transcripts show placeholders).
   */
  readonly auth?: { readonly username: string; readonly password: string | Secret };
  /** Check ids or id prefixes ("security", "security.smuggling"); default every check. */
  readonly only?: readonly string[];
  /** Milliseconds each check may take, connections included. Default 15000. */
  readonly checkTimeout?: number;
  /** Milliseconds to wait for one reply. Default 5000 (bounded by what is left of the check). */
  readonly replyTimeout?: number;
  /** Milliseconds a check waits to be sure that *no* reply comes. Default 600. */
  readonly quietWait?: number;
  /** Most connections for the whole probe. Default 80. */
  readonly maxConnections?: number;
  /** Most octets the probe writes for the whole probe. Default 2 MiB. */
  readonly maxBytes?: number;
  /** TLS server name (SNI and certificate check). Default the host when it is a name. */
  readonly servername?: string;
  /** Extra CA certificates trusted when judging the server's certificate. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Stops the whole probe. */
  readonly signal?: AbortSignal;
}

/** `ProbeOptions` with every default filled in. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  readonly helo: string;
  readonly from: string;
  readonly rcpt: string;
  readonly foreignRcpt: string;
  readonly deliver: string | undefined;
  readonly auth: { readonly username: string; readonly password: Secret } | undefined;
  readonly only: readonly string[] | undefined;
  readonly checkTimeout: number;
  readonly replyTimeout: number;
  readonly quietWait: number;
  readonly maxConnections: number;
  readonly maxBytes: number;
  readonly servername: string | undefined;
  readonly ca: string | Buffer | readonly (string | Buffer)[] | undefined;
  readonly signal: AbortSignal | undefined;
}

/** What the TLS handshake and the certificate showed. */
export interface TlsSummary {
  readonly via: "implicit" | "starttls";
  readonly protocol: string;
  readonly cipher: string;
  /** The chain verifies against Node's CA store plus `ca`. */
  readonly trusted: boolean;
  readonly trustError?: string;
  /** The certificate names `servername` (undefined when there is no name to check, e.g. an IP target). */
  readonly nameMatches?: boolean;
  readonly servername?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly altNames?: string;
  readonly fingerprint256?: string;
}

/** A reply as the probe saw it: the codec's value plus the raw lines (enhanced codes included). */
export interface ProbeReply extends Reply {
  /** Every line as it came, without its line ending. */
  readonly raw: readonly string[];
  /** Some line of it ended with a bare LF instead of CRLF. */
  readonly bareLf: boolean;
}

/** What the first connection learned, shared by every check. */
export interface Facts {
  readonly greeting: ProbeReply;
  /** The first EHLO reply (cleartext, or inside implicit TLS); undefined when EHLO was refused. */
  readonly ehlo: ProbeReply | undefined;
  /** Capabilities from `ehlo` (empty set of flags when EHLO was refused). */
  readonly capabilities: Capabilities;
  /** Capabilities after STARTTLS when the probe upgrades, else the same as `capabilities`. */
  readonly sessionCapabilities: Capabilities;
  /** TLS of the session checks use by default (implicit, or after STARTTLS). */
  readonly tls: TlsSummary | undefined;
  readonly starttlsOffered: boolean;
  /** Why STARTTLS failed in discovery (the probe then goes on in clear); undefined when it worked or was not tried. */
  readonly starttlsError?: string;
  /** Reply to `MAIL FROM:<from>` in that session. */
  readonly mail: ProbeReply | undefined;
  /** Reply to `RCPT TO:<rcpt>` after it. */
  readonly rcpt: ProbeReply | undefined;
  /** `rcpt` was accepted: checks that need an open transaction can run. */
  readonly rcptAccepted: boolean;
}

/** How `CheckContext.open` sets up a session. */
export interface OpenOptions {
  /** "implicit" handshakes at connect; "none" stays in clear. Default: implicit when the probe's mode is. */
  readonly tls?: "implicit" | "none";
  /** Read the greeting. Default true. false returns right after the TCP (and TLS) connect. */
  readonly greet?: boolean;
  /** "EHLO" (default), "HELO", or false to stop after the greeting. */
  readonly hello?: "EHLO" | "HELO" | false;
  /** STARTTLS + EHLO again when offered. Default: when the probe's mode is "starttls". */
  readonly starttls?: boolean;
  /** TLS protocol/cipher limits for this connection's handshake (implicit or STARTTLS). */
  readonly tlsKnobs?: TlsKnobs;
}

/** What a check gets. Every session it opens is closed when it ends. */
export interface CheckContext {
  readonly options: ResolvedOptions;
  readonly facts: Facts;
  /** Aborted when the check's time is up or the probe is stopped. */
  readonly signal: AbortSignal;
  /** A new connection, counted against the probe's budget, recorded in the check's transcript. */
  open(how?: OpenOptions): Promise<ProbeSession>;
  /** A line in the transcript that is neither sent nor received ("TLS handshake: TLSv1.3"). */
  note(text: string): void;
  /** Count a connection the check opens by other means (smtp-client) against the probe's budget; throws when spent. */
  takeConnection(): void;
  /** Resolves after `ms` (rejects when the check is aborted). */
  sleep(ms: number): Promise<void>;
}

export interface Verdict {
  readonly status: Status;
  /** One line: what happened, in words a mail admin understands. */
  readonly summary: string;
}

export interface CheckDefinition {
  /** `<area>.<name>`, stable: used by `--only` and in the JSON report. */
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  /** Where the rule comes from: "RFC 5321 §4.2.4". */
  readonly rfc: string;
  run(ctx: CheckContext): Promise<Verdict>;
}

/** One line of a transcript: C = the probe sent, S = the server sent, - = a note. */
export interface TranscriptLine {
  /** Which connection of the check, from 1. */
  readonly conn: number;
  readonly dir: "C" | "S" | "-";
  readonly text: string;
}

export interface CheckResult extends Verdict {
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  readonly rfc: string;
  readonly durationMs: number;
  readonly transcript: readonly TranscriptLine[];
}

export interface Report {
  readonly target: string;
  readonly tls: TlsMode;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly greeting: string;
  readonly capabilities: readonly string[];
  readonly session: { readonly secure: boolean; readonly tls: TlsSummary | undefined };
  readonly results: readonly CheckResult[];
  readonly summary: { readonly passed: number; readonly failed: number; readonly warnings: number; readonly notApplicable: number };
  readonly budget: { readonly connections: number; readonly bytesSent: number };
  /** The first connection's transcript (greeting, EHLO, STARTTLS, MAIL, RCPT): what `facts` came from. */
  readonly discovery?: readonly TranscriptLine[];
}

export const pass = (summary: string): Verdict => ({ status: "pass", summary });
export const fail = (summary: string): Verdict => ({ status: "fail", summary });
export const warn = (summary: string): Verdict => ({ status: "warn", summary });
export const notApplicable = (summary: string): Verdict => ({ status: "n/a", summary });
