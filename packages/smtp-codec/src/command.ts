import { syntaxError } from "./errors.js";
import type { SmtpSyntaxError } from "./errors.js";
import { formatMailParams, formatRcptParams, parseMailParams, parseRcptParams } from "./esmtp-params.js";
import type { MailParams, RcptParams } from "./esmtp-params.js";
import { isAddressLiteral, isDomain } from "./domain.js";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { codeAt, startsWithCi, verbAt } from "./keyword.js";
import { MAX_DOMAIN_OCTETS, formatForwardPath, formatReversePath, readForwardPath, readReversePath } from "./path.js";
import type { ForwardPath, ReversePath } from "./path.js";

/** Every command of RFC 5321, plus STARTTLS (RFC 3207), AUTH (RFC 4954), BDAT (RFC 3030) and LHLO (RFC 2033). */
export type Command =
  | { readonly verb: "HELO"; readonly domain: string }
  | { readonly verb: "EHLO"; readonly domain: string }
  | { readonly verb: "LHLO"; readonly domain: string }
  | { readonly verb: "MAIL"; readonly from: ReversePath; readonly params: MailParams }
  | { readonly verb: "RCPT"; readonly to: ForwardPath; readonly params: RcptParams }
  | { readonly verb: "DATA" }
  | { readonly verb: "BDAT"; readonly size: number; readonly last: boolean }
  | { readonly verb: "RSET" }
  | { readonly verb: "VRFY"; readonly argument: string }
  | { readonly verb: "EXPN"; readonly argument: string }
  | { readonly verb: "HELP"; readonly argument?: string }
  | { readonly verb: "NOOP"; readonly argument?: string }
  | { readonly verb: "QUIT" }
  | { readonly verb: "STARTTLS" }
  /** `initialResponse` is the decoded bytes; `=` on the wire is an empty array (RFC 4954 §4). */
  | { readonly verb: "AUTH"; readonly mechanism: string; readonly initialResponse?: Uint8Array };

export type Verb = Command["verb"];

/**
 * Opt-in leniency for clients that break the grammar. Each switch is off by default, is named
 * after what it lets through, and never changes how a well-formed line parses.
 */
export interface CommandCompat {
  /** `MAIL FROM: <a@b>`, `RCPT TO:  <a@b>`: SPs between the colon and the path. */
  readonly spaceAfterColon?: boolean;
  /** `MAIL FROM:a@b`: a path without angle brackets, ended by SP or the end of the line. */
  readonly missingBrackets?: boolean;
  /** SP and HTAB at the end of the line are dropped before parsing. */
  readonly trailingWhitespace?: boolean;
  /** HELO/EHLO/LHLO take any word of printable ASCII (e.g. a NetBIOS name with `_`). */
  readonly anyHeloArgument?: boolean;
}

export interface ParseCommandOptions {
  /**
   * SMTPUTF8 is in force for the transaction (RFC 6531): RCPT may carry UTF-8 paths, and
   * VRFY/EXPN/HELP/NOOP UTF-8 text. MAIL does not look at it: only the SMTPUTF8 parameter on the
   * same line allows a UTF-8 reverse-path (RFC 6531 §3.4).
   */
  readonly smtputf8?: boolean;
  /** Lenient parsing for broken clients; everything is strict RFC grammar by default. */
  readonly compat?: CommandCompat;
}

const SP = 0x20;
const HTAB = 0x09;
const LT = 0x3c;

/** Fatal, so invalid UTF-8 is an error rather than U+FFFD; a leading BOM is kept as text. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Commands without arguments carry no data, so one frozen value each serves every parse.
const BARE = {
  DATA: Object.freeze({ verb: "DATA" }),
  RSET: Object.freeze({ verb: "RSET" }),
  QUIT: Object.freeze({ verb: "QUIT" }),
  STARTTLS: Object.freeze({ verb: "STARTTLS" }),
} as const;

const NO_OPTIONS: ParseCommandOptions = Object.freeze({});

function syntax(text: string, cause?: unknown): SmtpSyntaxError {
  return syntaxError("syntax", 501, "5.5.4", text, cause === undefined ? undefined : { cause });
}

/**
 * Parse one command line, given WITHOUT its CRLF (RFC 5321 §4.1.1, RFC 3207 §4, RFC 4954 §4,
 * RFC 3030 §2, RFC 2033 §4.1). Verbs and keywords are case-insensitive (RFC 5321 §2.4).
 *
 * `line` is raw bytes (decoded once: ASCII as latin1, anything else as fatal UTF-8) or an already
 * decoded string; both give the same result. Throws `SmtpSyntaxError` whose `reply` is what a
 * server should answer:
 * - empty line or unknown verb: `unknown-command` 500 5.5.1;
 * - malformed arguments, control characters, invalid UTF-8: `syntax` 501 5.5.4;
 * - AUTH initial response that is not base64: `bad-base64` 501 5.5.2;
 * - a UTF-8 address without SMTPUTF8: `utf8-not-allowed` 553 5.6.7;
 * - path and parameter errors as thrown by path.ts and esmtp-params.ts.
 */
export function parseCommand(line: Uint8Array | string, opts: ParseCommandOptions = NO_OPTIONS): Command {
  const compat = opts.compat;
  let end = line.length;
  if (compat?.trailingWhitespace === true) {
    while (end > 0) {
      const c = codeAt(line, end - 1);
      if (c !== SP && c !== HTAB) break;
      end--;
    }
  }
  if (end === 0) throw syntaxError("unknown-command", 500, "5.5.1", "Empty command");
  const verb = verbAt(line, end);
  if (verb === undefined) throw syntaxError("unknown-command", 500, "5.5.1", "Command unrecognized");
  const start = verb === "STARTTLS" ? 8 : 4;
  switch (verb) {
    case "DATA":
    case "RSET":
    case "QUIT":
    case "STARTTLS":
      // data = "DATA" CRLF, rset = "RSET" CRLF, quit = "QUIT" CRLF (RFC 5321 §4.1.1.4, .5, .10);
      // "STARTTLS" CRLF (RFC 3207 §4).
      if (end !== start) throw syntax(`${verb} takes no argument`);
      return BARE[verb];
  }
  // The argument text starts at the SP after the verb (or is empty).
  const t = typeof line === "string" ? line.slice(start, end) : decodeArgument(line, start, end);
  const nonAscii = scanArgument(t);
  switch (verb) {
    case "HELO":
    case "EHLO":
    case "LHLO":
      return { verb, domain: parseHelloArgument(verb, t, nonAscii, compat) };
    case "MAIL":
      return parseMail(t, nonAscii, compat);
    case "RCPT":
      return parseRcpt(t, opts.smtputf8 === true, compat);
    case "VRFY":
    case "EXPN":
      return { verb, argument: parseLookupArgument(verb, t, nonAscii, opts.smtputf8 === true) };
    case "HELP":
    case "NOOP":
      return parseOptionalArgument(verb, t, nonAscii, opts.smtputf8 === true);
    case "BDAT":
      return parseBdat(t);
    case "AUTH":
      return parseAuth(t);
  }
}

/**
 * Decode `line[start..end)` once. Pure ASCII, the usual case, is copied as latin1, which costs
 * less than a TextDecoder call on a short line; anything else goes through the fatal UTF-8
 * decoder so that invalid UTF-8 is refused rather than turned into U+FFFD.
 */
function decodeArgument(line: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && (line[i] as number) < 0x80) i++;
  if (i === end) return Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString("latin1", start, end);
  try {
    return utf8.decode(line.subarray(start, end));
  } catch (cause) {
    throw syntax("Invalid UTF-8 in command", cause);
  }
}

/**
 * One pass over the argument text: control characters (C0, DEL and C1: no rule of the command
 * grammar admits them anywhere, not even HTAB) and unpaired surrogates (a string that has no UTF-8
 * form) are errors. Returns whether there is any non-ASCII character.
 */
function scanArgument(t: string): boolean {
  let nonAscii = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) throw syntax("Control characters are not allowed in commands");
    if (c < 0x80) continue;
    nonAscii = true;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = t.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) throw syntax("Invalid UTF-8 in command");
      i++;
    }
  }
  return nonAscii;
}

/**
 * helo = "HELO" SP Domain CRLF; ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
 * (RFC 5321 §4.1.1.1); "LHLO" as EHLO (RFC 2033 §4.1).
 * ASCII only: SMTPUTF8 cannot be in force before the greeting, and Domain is LDH.
 */
function parseHelloArgument(
  verb: "HELO" | "EHLO" | "LHLO",
  t: string,
  nonAscii: boolean,
  compat: CommandCompat | undefined,
): string {
  if (t.length < 2 || nonAscii) throw syntax(`Syntax: ${verb} hostname`);
  const arg = t.slice(1);
  if (compat?.anyHeloArgument === true) {
    if (arg.includes(" ")) throw syntax(`Syntax: ${verb} hostname`);
  } else if (!isHelloArgument(verb, arg)) {
    throw syntax(`Syntax: ${verb} hostname`);
  }
  return arg;
}

/** The argument is ASCII here, so its length in octets is its length (RFC 5321 §4.5.3.1.2). */
function isHelloArgument(verb: "HELO" | "EHLO" | "LHLO", arg: string): boolean {
  if (arg.length > MAX_DOMAIN_OCTETS) return false;
  if (arg.charCodeAt(0) === 0x5b) return verb !== "HELO" && isAddressLiteral(arg);
  return isDomain(arg);
}

/** Index of the path after `FROM:`/`TO:`; `compat.spaceAfterColon` skips SPs there. */
function pathStart(t: string, at: number, compat: CommandCompat | undefined): number {
  let i = at;
  if (compat?.spaceAfterColon === true) while (t.charCodeAt(i) === SP) i++;
  return i;
}

type PathReader<P> = (s: string, start: number) => { path: P; end: number };

/**
 * Read the path at `at`. With `compat.missingBrackets` a path that does not start with `<` is
 * taken up to the next SP and read as if it had brackets, so it gets the full path checks.
 */
function readPathAt<P>(
  t: string,
  at: number,
  compat: CommandCompat | undefined,
  read: PathReader<P>,
): { path: P; end: number } {
  if (compat?.missingBrackets === true && at < t.length && t.charCodeAt(at) !== LT) {
    let stop = t.indexOf(" ", at);
    if (stop < 0) stop = t.length;
    const wrapped = `<${t.slice(at, stop)}>`;
    const r = read(wrapped, 0);
    if (r.end !== wrapped.length) throw syntax("Unexpected text after the address");
    return { path: r.path, end: stop };
  }
  return read(t, at);
}

/** `esmtp-param *(SP esmtp-param)` after the path at `end` (RFC 5321 §4.1.2): single SPs. */
function paramTokens(t: string, end: number): string[] {
  if (end === t.length) return [];
  if (t.charCodeAt(end) !== SP) throw syntax("Unexpected text after the address");
  const tokens = t.slice(end + 1).split(" ");
  for (const token of tokens) {
    if (token.length === 0) throw syntax("Parameters are separated by a single SP");
  }
  return tokens;
}

/**
 * mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF  (RFC 5321 §4.1.1.2)
 * A UTF-8 path is allowed iff the SMTPUTF8 parameter is on the same line (RFC 6531 §3.4), so
 * the path is read leniently first and checked again once the parameters are known.
 */
function parseMail(t: string, nonAscii: boolean, compat: CommandCompat | undefined): Command {
  if (!startsWithCi(t, 0, " from:")) throw syntax("Syntax: MAIL FROM:<address>");
  const at = pathStart(t, 6, compat);
  const { path, end } = readPathAt(t, at, compat, (s, i) => readReversePath(s, i, { smtputf8: nonAscii }));
  const params = parseMailParams(paramTokens(t, end));
  if (nonAscii && params.smtputf8 !== true) {
    // Throws utf8-not-allowed if the non-ASCII text was in the path.
    readPathAt(t, at, compat, (s, i) => readReversePath(s, i, { smtputf8: false }));
  }
  return { verb: "MAIL", from: path, params };
}

/**
 * rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
 *        [SP Rcpt-parameters] CRLF  (RFC 5321 §4.1.1.3)
 * `<Postmaster@domain>` is an ordinary mailbox; readForwardPath turns `<Postmaster>` (any case)
 * into `{ postmaster: true }`. UTF-8 only when SMTPUTF8 is in force (RFC 6531 §3.4).
 */
function parseRcpt(t: string, smtputf8: boolean, compat: CommandCompat | undefined): Command {
  if (!startsWithCi(t, 0, " to:")) throw syntax("Syntax: RCPT TO:<address>");
  const at = pathStart(t, 4, compat);
  const { path, end } = readPathAt(t, at, compat, (s, i) => readForwardPath(s, i, { smtputf8 }));
  return { verb: "RCPT", to: path, params: parseRcptParams(paramTokens(t, end), { smtputf8 }) };
}

/** `SP` then text that neither starts nor ends with SP; the text is returned. */
function spacedArgument(t: string): string | undefined {
  const n = t.length;
  if (n < 2 || t.charCodeAt(0) !== SP || t.charCodeAt(1) === SP || t.charCodeAt(n - 1) === SP) return undefined;
  return t.slice(1);
}

/**
 * vrfy = "VRFY" SP String CRLF; expn = "EXPN" SP String CRLF  (RFC 5321 §4.1.1.6, §4.1.1.7)
 * Any printable text is kept verbatim instead of being held to String (Atom / Quoted-string):
 * clients send `user@host` and `<user@host>`, which String does not admit. UTF-8 needs SMTPUTF8
 * in force or the SMTPUTF8 parameter at the end of the line (RFC 6531 §3.7.4.2).
 */
function parseLookupArgument(verb: "VRFY" | "EXPN", t: string, nonAscii: boolean, smtputf8: boolean): string {
  const arg = spacedArgument(t);
  if (arg === undefined) throw syntax(`Syntax: ${verb} address`);
  if (nonAscii && !smtputf8 && !endsWithSmtputf8(arg)) {
    throw syntaxError("utf8-not-allowed", 553, "5.6.7", "Non-ASCII addresses need SMTPUTF8");
  }
  return arg;
}

function endsWithSmtputf8(arg: string): boolean {
  const i = arg.length - 9;
  return i > 0 && arg.charCodeAt(i) === SP && startsWithCi(arg, i + 1, "smtputf8");
}

/**
 * help = "HELP" [ SP String ] CRLF; noop = "NOOP" [ SP String ] CRLF  (RFC 5321 §4.1.1.8, §4.1.1.9)
 * The argument is kept verbatim, as for VRFY; UTF-8 only with SMTPUTF8 in force.
 */
function parseOptionalArgument(verb: "HELP" | "NOOP", t: string, nonAscii: boolean, smtputf8: boolean): Command {
  if (t.length === 0) return { verb };
  const argument = spacedArgument(t);
  if (argument === undefined || (nonAscii && !smtputf8)) throw syntax(`Syntax: ${verb} [argument]`);
  return { verb, argument };
}

/**
 * bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF; chunk-size = 1*DIGIT;
 * end-marker = "LAST"  (RFC 3030 §2). The size must be a safe integer.
 */
function parseBdat(t: string): Command {
  if (t.charCodeAt(0) !== SP) throw syntax("Syntax: BDAT size [LAST]");
  let i = 1;
  let size = 0;
  for (; i < t.length; i++) {
    const d = t.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    if (size > (Number.MAX_SAFE_INTEGER - d) / 10) throw syntax("BDAT chunk size too large");
    size = size * 10 + d;
  }
  if (i === 1) throw syntax("Syntax: BDAT size [LAST]");
  if (i === t.length) return { verb: "BDAT", size, last: false };
  if (i + 5 === t.length && t.charCodeAt(i) === SP && startsWithCi(t, i + 1, "last")) {
    return { verb: "BDAT", size, last: true };
  }
  throw syntax("Syntax: BDAT size [LAST]");
}

/**
 * "AUTH" SP sasl-mech [SP initial-response] CRLF; initial-response = base64 / "="  (RFC 4954 §4)
 * sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE (RFC 4422 §3.1).
 * Lower-case letters are accepted and the name is upper-cased (RFC 5321 §2.4 leniency).
 */
function parseAuth(t: string): Command {
  if (t.charCodeAt(0) !== SP) throw syntax("Syntax: AUTH mechanism [initial-response]");
  let i = 1;
  while (i < t.length && (isMechChar(t.charCodeAt(i)) || isLower(t.charCodeAt(i)))) i++;
  if (i === 1 || i > 21) throw syntax("Syntax: AUTH mechanism [initial-response]");
  const mechanism = t.slice(1, i).toUpperCase();
  if (i === t.length) return { verb: "AUTH", mechanism };
  if (t.charCodeAt(i) !== SP || i + 1 === t.length) throw syntax("Syntax: AUTH mechanism [initial-response]");
  const initialResponse = i + 2 === t.length && t.charCodeAt(i + 1) === 0x3d ? new Uint8Array(0) : decodeBase64(t, i + 1);
  return { verb: "AUTH", mechanism, initialResponse };
}

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isMechChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
}

/**
 * The wire text of `cmd`, CRLF included, with canonical upper-case verbs and keywords. Throws
 * `SmtpSyntaxError` for a value that cannot be put on the wire, so that `parseCommand` of the
 * result (without its CRLF) gives `cmd` back: a domain that is not a Domain / address-literal,
 * CR/LF or other CTLs or edge SPs in an argument, a mechanism that is not sasl-mech, a BDAT size
 * that is not a safe integer, a UTF-8 reverse-path without the SMTPUTF8 parameter.
 */
export function formatCommand(cmd: Command): string {
  switch (cmd.verb) {
    case "HELO":
    case "EHLO":
    case "LHLO":
      if (!isHelloArgument(cmd.verb, cmd.domain)) throw syntax(`Not a valid ${cmd.verb} argument`);
      return `${cmd.verb} ${cmd.domain}\r\n`;
    case "MAIL": {
      const from = formatReversePath(cmd.from);
      if (cmd.params.smtputf8 !== true && hasNonAscii(from)) {
        throw syntaxError("utf8-not-allowed", 553, "5.6.7", "Non-ASCII reverse-path needs the SMTPUTF8 parameter");
      }
      return `MAIL FROM:${from}${joinParams(formatMailParams(cmd.params))}\r\n`;
    }
    case "RCPT":
      return `RCPT TO:${formatForwardPath(cmd.to)}${joinParams(formatRcptParams(cmd.params))}\r\n`;
    case "DATA":
    case "RSET":
    case "QUIT":
    case "STARTTLS":
      return `${cmd.verb}\r\n`;
    case "VRFY":
    case "EXPN":
      return `${cmd.verb} ${checkArgument(cmd.verb, cmd.argument)}\r\n`;
    case "HELP":
    case "NOOP":
      return cmd.argument === undefined ? `${cmd.verb}\r\n` : `${cmd.verb} ${checkArgument(cmd.verb, cmd.argument)}\r\n`;
    case "BDAT":
      if (!Number.isSafeInteger(cmd.size) || cmd.size < 0) throw syntax("BDAT size must be a safe non-negative integer");
      return cmd.last ? `BDAT ${cmd.size} LAST\r\n` : `BDAT ${cmd.size}\r\n`;
    case "AUTH":
      return `AUTH ${checkMechanism(cmd.mechanism)}${formatInitialResponse(cmd.initialResponse)}\r\n`;
  }
}

function joinParams(tokens: readonly string[]): string {
  return tokens.length === 0 ? "" : ` ${tokens.join(" ")}`;
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** What `spacedArgument` and `scanArgument` accept back: printable, no SP at either edge. */
function checkArgument(verb: Verb, argument: string): string {
  const n = argument.length;
  if (n === 0 || argument.charCodeAt(0) === SP || argument.charCodeAt(n - 1) === SP) {
    throw syntax(`${verb} argument must be non-empty, without SP at either end`);
  }
  scanArgument(argument);
  return argument;
}

function checkMechanism(mechanism: string): string {
  let ok = mechanism.length >= 1 && mechanism.length <= 20;
  for (let i = 0; ok && i < mechanism.length; i++) ok = isMechChar(mechanism.charCodeAt(i));
  if (!ok) throw syntax("AUTH mechanism must be sasl-mech (RFC 4422 §3.1)");
  return mechanism;
}

function formatInitialResponse(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) return "";
  if (bytes.length === 0) return " =";
  return ` ${encodeBase64(bytes)}`;
}

