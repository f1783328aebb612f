import { syntaxError, type SmtpSyntaxError } from "./errors.js";
import { NOT_MATCHED, UTF8_NOT_ALLOWED, nonAsciiWidth, readAddressLiteral, readDomain, utf8Length } from "./domain.js";

/**
 * A mailbox `Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
 * `localPart` is the unquoted value (quoting is a wire matter: `"a b"@x` has localPart `a b`);
 * `domain` is as written, lower-cased is NOT applied; an address literal keeps its brackets
 * (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).
 */
export interface Mailbox {
  readonly localPart: string;
  readonly domain: string;
}

/** `<Postmaster>` without a domain (RFC 5321 §4.1.1.3), accepted in RCPT only. */
export interface Postmaster {
  readonly postmaster: true;
}

/** `Reverse-path = Path / "<>"`; `null` is the null reverse-path `<>`. */
export type ReversePath = Mailbox | null;

/** `Forward-path = Path`, plus `<Postmaster>`. */
export type ForwardPath = Mailbox | Postmaster;

export interface PathOptions {
  /** UTF-8 in local part and domain is allowed (RFC 6531, SMTPUTF8 in force). Default false. */
  readonly smtputf8?: boolean;
}

/** RFC 5321 §4.5.3.1.1: local part at most 64 octets (as written on the wire, quotes included). */
export const MAX_LOCAL_PART_OCTETS = 64;
/** RFC 5321 §4.5.3.1.2: domain (or address literal) at most 255 octets. */
export const MAX_DOMAIN_OCTETS = 255;
/** RFC 5321 §4.5.3.1.3: path at most 256 octets, "<" and ">" included. */
export const MAX_PATH_OCTETS = 256;

/** Enhanced code for a malformed sender (5.1.7) or recipient (5.1.3) address, RFC 3463 §3.2. */
type Role = "5.1.7" | "5.1.3";

/** atext of RFC 5322 §3.2.3: ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~". */
const ATEXT = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) ATEXT[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) ATEXT[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) ATEXT[c] = 1;
for (const ch of "!#$%&'*+-/=?^_`{|}~") ATEXT[ch.charCodeAt(0)] = 1;

function badPath(role: Role, why: string): SmtpSyntaxError {
  return syntaxError("bad-path", 501, role, `Bad ${role === "5.1.7" ? "sender" : "recipient"} address syntax: ${why}`);
}

function utf8NotAllowed(): SmtpSyntaxError {
  return syntaxError("utf8-not-allowed", 553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
}

function tooLong(role: Role, what: string, limit: number): SmtpSyntaxError {
  return syntaxError("path-too-long", 501, role, `${what} longer than ${limit} octets`);
}

/** Map a negative reader result to its error. */
function fail(r: number, role: Role, why: string): SmtpSyntaxError {
  return r === UTF8_NOT_ALLOWED ? utf8NotAllowed() : badPath(role, why);
}

/**
 * `Dot-string = Atom *("."  Atom)`, `Atom = 1*atext` (RFC 5321 §4.1.2), with
 * `atext =/ UTF8-non-ascii` under SMTPUTF8 (RFC 6531 §3.3).
 */
function readDotString(s: string, i: number, utf8: boolean): number {
  const n = s.length;
  for (;;) {
    const atom = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (ATEXT[c] === 0) break;
        i++;
      } else {
        if (!utf8) return UTF8_NOT_ALLOWED;
        const w = nonAsciiWidth(s, i);
        if (w === 0) return NOT_MATCHED;
        i += w;
      }
    }
    if (i === atom) return NOT_MATCHED;
    if (s.charCodeAt(i) !== 0x2e /* . */) return i;
    i++;
  }
}

/**
 * ```abnf
 * Quoted-string   = DQUOTE *QcontentSMTP DQUOTE        ; RFC 5321 §4.1.2
 * QcontentSMTP    = qtextSMTP / quoted-pairSMTP
 * quoted-pairSMTP = %d92 %d32-126
 * qtextSMTP       = %d32-33 / %d35-91 / %d93-126
 * qtextSMTP       =/ UTF8-non-ascii                    ; RFC 6531 §3.3
 * ```
 * `s[i]` is the opening quote. Returns the index after the closing quote.
 */
function readQuotedString(s: string, i: number, utf8: boolean): number {
  const n = s.length;
  i++;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 32 && d <= 126)) return NOT_MATCHED;
      i += 2;
    } else if (c >= 32 && c <= 126) {
      i++;
    } else if (c >= 0x80) {
      if (!utf8) return UTF8_NOT_ALLOWED;
      const w = nonAsciiWidth(s, i);
      if (w === 0) return NOT_MATCHED;
      i += w;
    } else {
      return NOT_MATCHED;
    }
  }
  return NOT_MATCHED;
}

/** The value of the quoted string `s[from..to)` (quotes excluded): each quoted-pair gives its char. */
function unquote(s: string, from: number, to: number): string {
  let out = "";
  let k = from;
  for (let i = from; i < to; i++) {
    if (s.charCodeAt(i) === 0x5c) {
      out += s.slice(k, i);
      k = i + 1;
      i++; // the escaped char is kept, and never read as a backslash itself
    }
  }
  return k === from ? s.slice(from, to) : out + s.slice(k, to);
}

/** A mailbox and the index just after it; one allocation carried from reader to caller. */
interface MailboxAt {
  readonly path: Mailbox;
  end: number;
}

/**
 * `Mailbox = Local-part "@" ( Domain / address-literal )`,
 * `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2).
 * Reads a Mailbox at `start`; `stop` is the char code that must follow it (-1: end of string).
 */
function readMailbox(
  s: string,
  start: number,
  utf8: boolean,
  role: Role,
  stop: number,
): MailboxAt {
  const quoted = s.charCodeAt(start) === 0x22;
  const at = quoted ? readQuotedString(s, start, utf8) : readDotString(s, start, utf8);
  if (at < 0) throw fail(at, role, quoted ? "bad quoted local part" : "bad local part");
  if (s.charCodeAt(at) !== 0x40 /* @ */) throw badPath(role, 'expected "@" after the local part');
  const localOctets = utf8 ? utf8Length(s, start, at) : at - start;
  if (localOctets > MAX_LOCAL_PART_OCTETS) throw tooLong(role, "Local part", MAX_LOCAL_PART_OCTETS);
  const d = at + 1;
  const end = s.charCodeAt(d) === 0x5b ? readAddressLiteral(s, d) : readDomain(s, d, utf8);
  if (end < 0) throw fail(end, role, "bad domain");
  const next = s.charCodeAt(end);
  if (stop < 0 ? end !== s.length : next !== stop) {
    // A character that could not continue the domain: say so rather than "bad domain".
    if (next >= 0x80 && !utf8) throw utf8NotAllowed();
    // The offending character is not quoted back: reply text must never carry raw input.
    throw badPath(role, end < s.length ? "unexpected character after the domain" : "unexpected end");
  }
  const domainOctets = utf8 ? utf8Length(s, d, end) : end - d;
  if (domainOctets > MAX_DOMAIN_OCTETS) throw tooLong(role, "Domain", MAX_DOMAIN_OCTETS);
  const localPart = quoted ? unquote(s, start + 1, at - 1) : s.slice(start, at);
  return { path: { localPart, domain: s.slice(d, end) }, end };
}

/**
 * ```abnf
 * Path      = "<" [ A-d-l ":" ] Mailbox ">"     ; RFC 5321 §4.1.2
 * A-d-l     = At-domain *( "," At-domain )      ; source route, obsolete
 * At-domain = "@" Domain
 * ```
 * The source route is read and dropped, as RFC 5321 §4.1.2 and Appendix C say a receiver should.
 * Returns the mailbox and the index after ">".
 */
function readPath(s: string, start: number, utf8: boolean, role: Role): MailboxAt {
  let i = start + 1;
  if (s.charCodeAt(i) === 0x40 /* @ */) {
    for (;;) {
      const e = readDomain(s, i + 1, utf8);
      if (e < 0) throw fail(e, role, "bad source route");
      const c = s.charCodeAt(e);
      if (c === 0x3a /* : */) {
        i = e + 1;
        break;
      }
      if (c !== 0x2c /* , */ || s.charCodeAt(e + 1) !== 0x40) throw badPath(role, "bad source route");
      i = e + 1;
    }
  }
  const r = readMailbox(s, i, utf8, role, 0x3e /* > */);
  const end = ++r.end; // past ">"; r is ours, so it is reused as the result
  const octets = utf8 ? utf8Length(s, start, end) : end - start;
  if (octets > MAX_PATH_OCTETS) throw tooLong(role, "Path", MAX_PATH_OCTETS);
  return r;
}

/** "postmaster>" matched case-insensitively at `i`. */
function isPostmaster(s: string, i: number): boolean {
  const word = "postmaster";
  for (let k = 0; k < word.length; k++) {
    if ((s.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return s.charCodeAt(i + word.length) === 0x3e;
}

function expectOpen(s: string, start: number, role: Role): void {
  if (s.charCodeAt(start) !== 0x3c /* < */) throw badPath(role, 'expected "<"');
}

/**
 * `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2), read from `s[start]`, which must be "<".
 * Quoted local parts may hold ">" and spaces, so the end is found by the grammar, not by a search.
 * @returns the path (`null` for `<>`) and the index just after the closing ">".
 * @throws SmtpSyntaxError "bad-path" (501 5.1.7), "path-too-long" (501 5.1.7, RFC 5321 §4.5.3.1),
 *   "utf8-not-allowed" (553 5.6.7, RFC 6531 §3.5).
 */
export function readReversePath(
  s: string,
  start: number,
  opts?: PathOptions,
): { path: ReversePath; end: number } {
  expectOpen(s, start, "5.1.7");
  if (s.charCodeAt(start + 1) === 0x3e) return { path: null, end: start + 2 };
  return readPath(s, start, opts?.smtputf8 === true, "5.1.7");
}

/**
 * `Forward-path = Path` (RFC 5321 §4.1.2), or `"<Postmaster>"` matched case-insensitively
 * (RFC 5321 §4.1.1.3), read from `s[start]`, which must be "<".
 * @returns the path and the index just after the closing ">".
 * @throws SmtpSyntaxError "bad-path" (501 5.1.3), "path-too-long" (501 5.1.3),
 *   "utf8-not-allowed" (553 5.6.7).
 */
export function readForwardPath(
  s: string,
  start: number,
  opts?: PathOptions,
): { path: ForwardPath; end: number } {
  expectOpen(s, start, "5.1.3");
  if (isPostmaster(s, start + 1)) return { path: { postmaster: true }, end: start + 12 };
  return readPath(s, start, opts?.smtputf8 === true, "5.1.3");
}

function expectEnd(s: string, end: number, role: Role): void {
  if (end !== s.length) throw badPath(role, "unexpected text after the path");
}

/** `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2): the whole of `s`. See `readReversePath`. */
export function parseReversePath(s: string, opts?: PathOptions): ReversePath {
  const r = readReversePath(s, 0, opts);
  expectEnd(s, r.end, "5.1.7");
  return r.path;
}

/** `Forward-path = Path` or `<Postmaster>` (RFC 5321 §4.1.2): the whole of `s`. See `readForwardPath`. */
export function parseForwardPath(s: string, opts?: PathOptions): ForwardPath {
  const r = readForwardPath(s, 0, opts);
  expectEnd(s, r.end, "5.1.3");
  return r.path;
}

/**
 * `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2), bare, without angle
 * brackets: the whole of `s`. Used where an address travels inside a parameter (AUTH=, RFC 4954 §5).
 * The local part and domain limits apply; the path limit does not.
 * @throws SmtpSyntaxError "bad-path" (501 5.1.3), "path-too-long", "utf8-not-allowed".
 */
export function parseMailbox(s: string, opts?: PathOptions): Mailbox {
  return readMailbox(s, 0, opts?.smtputf8 === true, "5.1.3", -1).path;
}

/** True when `local` can be sent as a Dot-string, i.e. needs no quotes. */
function isDotString(local: string): boolean {
  return local.length > 0 && readDotString(local, 0, true) === local.length;
}

/**
 * The local part as it goes on the wire: as is when it is a valid Dot-string, otherwise a
 * Quoted-string with `"` and `\` escaped, so that parsing gives back the same value.
 */
function formatLocalPart(local: string, role: Role): string {
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c >= 32 && c <= 126) continue;
    const w = c >= 0x80 ? nonAsciiWidth(local, i) : 0;
    if (w === 0) throw badPath(role, "control character or lone surrogate in the local part");
    i += w - 1;
  }
  if (isDotString(local)) return local;
  let out = '"';
  let k = 0;
  for (let i = 0; i < local.length; i++) {
    const c = local.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) {
      out += `${local.slice(k, i)}\\`;
      k = i;
    }
  }
  return `${out}${local.slice(k)}"`;
}

function formatMailboxAs(m: Mailbox, role: Role): string {
  const d = m.domain;
  const end = d.charCodeAt(0) === 0x5b ? readAddressLiteral(d, 0) : readDomain(d, 0, true);
  // Checked so that a value can never smuggle CR LF or a second command onto the line.
  if (end !== d.length) throw badPath(role, "bad domain");
  return `${formatLocalPart(m.localPart, role)}@${d}`;
}

/**
 * `Local-part "@" ( Domain / address-literal )` for `m`, quoting the local part only when it is
 * not a Dot-string (RFC 5321 §4.1.2). Lengths are not checked; syntax is, so that no value can
 * inject a control character into a command line.
 * @throws SmtpSyntaxError "bad-path" for a control character or an invalid domain.
 */
export function formatMailbox(m: Mailbox): string {
  return formatMailboxAs(m, "5.1.3");
}

/** `"<>"` for the null path, else `"<" Mailbox ">"` (RFC 5321 §4.1.2). */
export function formatReversePath(p: ReversePath): string {
  return p === null ? "<>" : `<${formatMailboxAs(p, "5.1.7")}>`;
}

/** `"<Postmaster>"` or `"<" Mailbox ">"` (RFC 5321 §4.1.1.3, §4.1.2). */
export function formatForwardPath(p: ForwardPath): string {
  return "postmaster" in p ? "<Postmaster>" : `<${formatMailboxAs(p, "5.1.3")}>`;
}
