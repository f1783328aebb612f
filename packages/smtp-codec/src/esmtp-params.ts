import { type SmtpSyntaxError, syntaxError } from "./errors.js";
import { type Mailbox, formatMailbox, parseMailbox } from "./path.js";
import { utf8AddrXtextDecode, utf8AddrXtextEncode, xtextDecode, xtextEncode } from "./xtext.js";

/** BODY= values (RFC 6152 §2, RFC 3030 §3). */
export type BodyType = "7BIT" | "8BITMIME" | "BINARYMIME";

/** NOTIFY= (RFC 3461 §4.1): either NEVER alone or a non-empty set of the others. */
export type Notify = "NEVER" | readonly ("SUCCESS" | "FAILURE" | "DELAY")[];

/** ORCPT= `addr-type ";" xtext` (RFC 3461 §4.2); `address` is xtext-decoded. */
export interface OriginalRecipient {
  readonly addrType: string;
  readonly address: string;
}

/** BY= `by-time ";" by-mode [ "T" ]` (RFC 2852 §4). */
export interface DeliverBy {
  /** seconds; may be negative for mode R (RFC 2852 §4). */
  readonly time: number;
  readonly mode: "N" | "R";
  readonly trace: boolean;
}

/** Parameters of MAIL FROM, typed. Unknown keywords are an error (555), never carried loosely. */
export interface MailParams {
  /** SIZE= declared message size in octets (RFC 1870). */
  readonly size?: number;
  /** BODY= (RFC 6152, RFC 3030). */
  readonly body?: BodyType;
  /** SMTPUTF8 (RFC 6531 §3.4), no value. */
  readonly smtputf8?: true;
  /** RET=FULL|HDRS (RFC 3461 §4.3). */
  readonly ret?: "FULL" | "HDRS";
  /** ENVID= xtext-decoded (RFC 3461 §4.4). */
  readonly envid?: string;
  /** AUTH= the xtext-decoded authorized sender, or null for `AUTH=<>` (RFC 4954 §5). */
  readonly auth?: Mailbox | null;
  /** REQUIRETLS (RFC 8689 §4.1), no value. */
  readonly requireTls?: true;
  /** MT-PRIORITY= -9..9 (RFC 6710 §3). */
  readonly mtPriority?: number;
  /** BY= (RFC 2852). */
  readonly by?: DeliverBy;
}

/** Parameters of RCPT TO, typed. */
export interface RcptParams {
  /** NOTIFY= (RFC 3461 §4.1). */
  readonly notify?: Notify;
  /** ORCPT= (RFC 3461 §4.2). */
  readonly orcpt?: OriginalRecipient;
}

export interface ParseParamsOptions {
  /**
   * SMTPUTF8 is in force (RFC 6531 §3.3: UTF-8 allowed in esmtp-value). For MAIL, an SMTPUTF8
   * parameter among the tokens turns it on as well.
   */
  readonly smtputf8?: boolean;
}

/** RFC 3461 §4.4: the ENVID value is at most 100 characters (checked on the xtext as sent). */
export const MAX_ENVID_LENGTH = 100;

// Keyword tables, upper case. The index of a keyword is its case in the switch below.
const MAIL_KEYWORDS = ["SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH", "REQUIRETLS", "MT-PRIORITY", "BY"];
const RCPT_KEYWORDS = ["NOTIFY", "ORCPT"];
const BODY_TYPES = ["7BIT", "8BITMIME", "BINARYMIME"] as const;
const RET_VALUES = ["FULL", "HDRS"] as const;
const NOTIFY_NEVER = ["NEVER"] as const;
const NOTIFY_EVENTS = ["SUCCESS", "FAILURE", "DELAY"] as const;

function badParam(keyword: string, why: string, cause?: unknown): SmtpSyntaxError {
  return syntaxError("bad-parameter", 501, "5.5.4", `Bad ${keyword} parameter: ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2): the end of the
 * keyword in `token` ("=" or the end), or -1 when the token does not start with one.
 */
function keywordEnd(token: string): number {
  let i = 0;
  for (; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const l = c | 0x20;
    if ((c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x7a)) continue;
    if (c === 0x2d && i > 0) continue;
    break;
  }
  if (i === 0 || (i < token.length && token.charCodeAt(i) !== 0x3d)) return -1;
  return i;
}

/** Index of `token[0..end)` in `table`, compared case-insensitively without allocating; or -1. */
function lookup(token: string, end: number, table: readonly string[]): number {
  outer: for (let t = 0; t < table.length; t++) {
    const kw = table[t] as string;
    if (kw.length !== end) continue;
    for (let i = 0; i < end; i++) {
      const c = token.charCodeAt(i);
      // Only letters are folded; the keyword grammar was checked, so no other char can alias.
      if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== kw.charCodeAt(i)) continue outer;
    }
    return t;
  }
  return -1;
}

/**
 * Look up the keyword of `KEYWORD[=VALUE]` (RFC 5321 §4.1.2:
 * `esmtp-param = esmtp-keyword ["=" esmtp-value]`) and catch duplicates. `seen` is a bit set of
 * the table indexes met so far. Returns the index and the keyword's end, packed as
 * `index | end << 4`, so that the hot path allocates nothing for this step.
 */
function lookupParam(token: string, table: readonly string[], seen: number): number {
  const end = keywordEnd(token);
  if (end < 0) throw syntaxError("syntax", 501, "5.5.4", "Syntax error in parameters");
  const index = lookup(token, end, table);
  if (index < 0) {
    throw syntaxError("unknown-parameter", 555, "5.5.4", `Unsupported parameter ${token.slice(0, end)}`);
  }
  if ((seen & (1 << index)) !== 0) {
    throw syntaxError("duplicate-parameter", 501, "5.5.4", `Parameter ${table[index]} given twice`);
  }
  return index | (end << 4);
}

/** The value after "=", or undefined when the token has no "=" (an empty value is kept, to be refused). */
function paramValue(token: string, end: number): string | undefined {
  return end === token.length ? undefined : token.slice(end + 1);
}

/**
 * The value, or an error when the keyword needs one:
 * `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2), never empty, never "=", space or a
 * control. Non-ASCII (`esmtp-value =/ UTF8-non-ascii`, RFC 6531 §3.3) is left to the parameter's
 * own grammar, which refuses it everywhere but ORCPT=utf-8.
 */
function need(keyword: string, value: string | undefined): string {
  if (value === undefined || value.length === 0) throw badParam(keyword, "value required");
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 33 || c === 0x3d || c === 0x7f) throw badParam(keyword, "character not allowed in a value");
  }
  return value;
}

function none(keyword: string, value: string | undefined): void {
  if (value !== undefined) throw badParam(keyword, "takes no value");
}

/** ASCII-only case-insensitive equality with an upper-case `upper` (no Unicode case folding). */
function equalsUpper(v: string, upper: string): boolean {
  if (v.length !== upper.length) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a ? c - 0x20 : c) !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The entry of `allowed` that `v` spells, compared case-insensitively in ASCII only: Unicode
 * folding would let "ſuccess" (long s) pass as SUCCESS.
 */
function oneOf<T extends string>(v: string, allowed: readonly T[]): T | undefined {
  for (const a of allowed) if (equalsUpper(v, a)) return a;
  return undefined;
}

/** `1*max DIGIT` as a safe integer, or -1. */
function digits(v: string, from: number, max: number): number {
  if (from >= v.length || v.length - from > max) return -1;
  let n = 0;
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : -1;
}

/** `["+" / "-"] digits`, with -0 made 0 so that equal values compare equal. */
function signed(v: string, max: number): number | undefined {
  const c = v.charCodeAt(0);
  const sign = c === 0x2d ? -1 : 1;
  const n = digits(v, c === 0x2d || c === 0x2b ? 1 : 0, max);
  if (n < 0) return undefined;
  return n === 0 ? 0 : sign * n;
}

/** Printable US-ASCII, graphic and space (RFC 3461 §4.2, §4.4: what ENVID and ORCPT may hold). */
function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

/**
 * `addr-type = atom`, `atom = 1*atext` (RFC 3461 §4.2, RFC 5322 §3.2.3), less "=", which no
 * esmtp-value may hold (RFC 5321 §4.1.2).
 */
function isAddrType(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if ((c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x7a) || "!#$%&'*+-/?^_`{|}~".includes(s[i] as string)) continue;
    return false;
  }
  return true;
}

function isUtf8Type(addrType: string): boolean {
  return equalsUpper(addrType, "UTF-8");
}

/** RFC 6533 §3: `utf-8-address = Mailbox ; as defined in RFC 6531`. */
function isUtf8Mailbox(address: string): boolean {
  try {
    parseMailbox(address, { smtputf8: true });
    return true;
  } catch {
    return false;
  }
}

/** `by-value = by-time ";" by-mode [by-trace]`, by-time = ["-" / "+"] 1*9DIGIT (RFC 2852 §4). */
function parseBy(v: string): DeliverBy {
  const semi = v.indexOf(";");
  const time = semi > 0 ? signed(v.slice(0, semi), 9) : undefined;
  if (time === undefined) throw badParam("BY", "by-time must be an integer of at most 9 digits");
  const rest = v.length - semi - 1;
  const m = v.charCodeAt(semi + 1) & ~0x20; // ABNF literals are case-insensitive
  const trace = rest === 2 && (v.charCodeAt(semi + 2) & ~0x20) === 0x54; /* T */
  if ((rest !== 1 && !trace) || (m !== 0x4e && m !== 0x52)) throw badParam("BY", 'by-mode must be "N" or "R", then "T" optionally');
  const mode = m === 0x4e ? "N" : "R";
  // RFC 2852 §4: with mode N the by-time must be positive; R may be zero or negative.
  if (mode === "N" && time <= 0) throw badParam("BY", "by-time must be positive with mode N");
  return { time, mode, trace };
}

/** `"NEVER" / 1#notify-list-element`, `notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"` (RFC 3461 §4.1). */
function parseNotify(v: string): Notify {
  const items = v.split(",");
  if (items.length === 1 && oneOf(v, NOTIFY_NEVER) !== undefined) return "NEVER";
  const out: ("SUCCESS" | "FAILURE" | "DELAY")[] = [];
  for (const item of items) {
    const kw = oneOf(item, NOTIFY_EVENTS);
    if (kw === undefined) throw badParam("NOTIFY", "expected NEVER or a list of SUCCESS, FAILURE, DELAY");
    if (out.includes(kw)) throw badParam("NOTIFY", `${kw} listed twice`);
    out.push(kw);
  }
  return out;
}

/**
 * `orcpt-parameter = "ORCPT=" original-recipient-address`,
 * `original-recipient-address = addr-type ";" xtext`, `addr-type = atom` (RFC 3461 §4.2).
 * For addr-type "utf-8" the address is utf-8-addr-xtext, or utf-8-addr-unitext under SMTPUTF8
 * (RFC 6533 §3), decoded and checked to be a Mailbox. For every other type (rfc822 included) it
 * is xtext, decoded and checked to be printable US-ASCII, and not parsed further.
 */
function parseOrcpt(v: string, smtputf8: boolean): OriginalRecipient {
  const semi = v.indexOf(";");
  const addrType = v.slice(0, semi);
  if (semi <= 0 || !isAddrType(addrType)) throw badParam("ORCPT", "expected addr-type;address");
  const raw = v.slice(semi + 1);
  if (raw.length === 0) throw badParam("ORCPT", "empty address");
  if (isUtf8Type(addrType)) {
    const address = utf8AddrXtextDecode(raw, smtputf8);
    if (!isUtf8Mailbox(address)) throw badParam("ORCPT", "a utf-8 address must be a Mailbox");
    return { addrType, address };
  }
  const address = xtextDecode(raw);
  if (!isPrintable(address)) throw badParam("ORCPT", "address must be printable US-ASCII");
  return { addrType, address };
}

/** AUTH= value: `<>` or an xtext-encoded Mailbox (RFC 4954 §5). */
function parseAuth(v: string, smtputf8: boolean): Mailbox | null {
  const decoded = xtextDecode(v);
  if (decoded === "<>") return null;
  try {
    return parseMailbox(decoded, { smtputf8 });
  } catch (cause) {
    // Non-ASCII without SMTPUTF8 keeps its own reply (553 5.6.7, RFC 6531 §3.5).
    if ((cause as SmtpSyntaxError).code === "utf8-not-allowed") throw cause;
    throw badParam("AUTH", "not a valid mailbox", cause);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The parameters of MAIL FROM (RFC 5321 §4.1.2 `Mail-parameters = esmtp-param *(SP esmtp-param)`),
 * one `KEYWORD[=VALUE]` per token, keywords case-insensitive:
 * SIZE=1*20DIGIT (RFC 1870), BODY=7BIT/8BITMIME/BINARYMIME (RFC 6152, RFC 3030), SMTPUTF8
 * (RFC 6531), RET=FULL/HDRS and ENVID=xtext (RFC 3461), AUTH=xtext/<> (RFC 4954 §5), REQUIRETLS
 * (RFC 8689), MT-PRIORITY=[+/-]DIGIT (RFC 6710), BY=time;mode[T] (RFC 2852).
 * @throws SmtpSyntaxError "unknown-parameter" (555 5.5.4, RCPT keywords included),
 *   "bad-parameter" / "duplicate-parameter" / "syntax" (501 5.5.4), "utf8-not-allowed" (553 5.6.7).
 */
export function parseMailParams(tokens: readonly string[], opts?: ParseParamsOptions): MailParams {
  const out: Mutable<MailParams> = {};
  let seen = 0;
  let auth: string | undefined;
  for (const token of tokens) {
    const found = lookupParam(token, MAIL_KEYWORDS, seen);
    const index = found & 15;
    seen |= 1 << index;
    const value = paramValue(token, found >> 4);
    switch (index) {
      case 0: {
        const n = digits(need("SIZE", value), 0, 20);
        if (n < 0) throw badParam("SIZE", "expected a number of octets");
        out.size = n;
        break;
      }
      case 1: {
        const body = oneOf(need("BODY", value), BODY_TYPES);
        if (body === undefined) throw badParam("BODY", "expected 7BIT, 8BITMIME or BINARYMIME");
        out.body = body;
        break;
      }
      case 2:
        none("SMTPUTF8", value);
        out.smtputf8 = true;
        break;
      case 3: {
        const ret = oneOf(need("RET", value), RET_VALUES);
        if (ret === undefined) throw badParam("RET", "expected FULL or HDRS");
        out.ret = ret;
        break;
      }
      case 4: {
        const v = need("ENVID", value);
        if (v.length > MAX_ENVID_LENGTH) throw badParam("ENVID", `longer than ${MAX_ENVID_LENGTH} characters`);
        const envid = xtextDecode(v);
        if (!isPrintable(envid)) throw badParam("ENVID", "must be printable US-ASCII");
        out.envid = envid;
        break;
      }
      case 5:
        auth = need("AUTH", value); // decoded after the loop, once SMTPUTF8 is known
        break;
      case 6:
        none("REQUIRETLS", value);
        out.requireTls = true;
        break;
      case 7: {
        const p = signed(need("MT-PRIORITY", value), 1);
        if (p === undefined) throw badParam("MT-PRIORITY", "expected -9 to 9");
        out.mtPriority = p;
        break;
      }
      default:
        out.by = parseBy(need("BY", value));
    }
  }
  if (auth !== undefined) out.auth = parseAuth(auth, opts?.smtputf8 === true || out.smtputf8 === true);
  return out;
}

/**
 * The parameters of RCPT TO (RFC 5321 §4.1.2 `Rcpt-parameters`): NOTIFY and ORCPT (RFC 3461
 * §4.1, §4.2, RFC 6533 for ORCPT=utf-8;...).
 * @throws SmtpSyntaxError "unknown-parameter" (555 5.5.4, MAIL keywords included),
 *   "bad-parameter" / "duplicate-parameter" / "syntax" (501 5.5.4), "utf8-not-allowed" (553 5.6.7).
 */
export function parseRcptParams(tokens: readonly string[], opts?: ParseParamsOptions): RcptParams {
  const out: Mutable<RcptParams> = {};
  let seen = 0;
  for (const token of tokens) {
    const found = lookupParam(token, RCPT_KEYWORDS, seen);
    const index = found & 15;
    seen |= 1 << index;
    const value = paramValue(token, found >> 4);
    if (index === 0) out.notify = parseNotify(need("NOTIFY", value));
    else out.orcpt = parseOrcpt(need("ORCPT", value), opts?.smtputf8 === true);
  }
  return out;
}

function formatAuthMailbox(m: Mailbox): string {
  try {
    return formatMailbox(m);
  } catch (cause) {
    throw badParam("AUTH", "not a valid mailbox", cause);
  }
}

function checkFormat(ok: boolean, keyword: string, why: string): void {
  if (!ok) throw badParam(keyword, why);
}

/**
 * MAIL FROM parameters as tokens, in the order of the `MailParams` fields. Values are checked
 * as the parser would check them, so what is formatted parses back to an equal value.
 * @throws SmtpSyntaxError "bad-parameter" for a value the grammar cannot carry.
 */
export function formatMailParams(p: MailParams): string[] {
  const out: string[] = [];
  if (p.size !== undefined) {
    checkFormat(Number.isSafeInteger(p.size) && p.size >= 0, "SIZE", "must be a non-negative safe integer");
    out.push(`SIZE=${p.size}`);
  }
  // The union types already say this; checked anyway because a bad cast must not reach the wire.
  if (p.body !== undefined) {
    checkFormat(BODY_TYPES.includes(p.body), "BODY", "must be 7BIT, 8BITMIME or BINARYMIME");
    out.push(`BODY=${p.body}`);
  }
  if (p.smtputf8 === true) out.push("SMTPUTF8");
  if (p.ret !== undefined) {
    checkFormat(RET_VALUES.includes(p.ret), "RET", "must be FULL or HDRS");
    out.push(`RET=${p.ret}`);
  }
  if (p.envid !== undefined) {
    const v = xtextEncode(p.envid);
    checkFormat(p.envid.length > 0 && isPrintable(p.envid), "ENVID", "must be non-empty printable US-ASCII");
    checkFormat(v.length <= MAX_ENVID_LENGTH, "ENVID", `longer than ${MAX_ENVID_LENGTH} characters as xtext`);
    out.push(`ENVID=${v}`);
  }
  if (p.auth !== undefined) out.push(`AUTH=${p.auth === null ? "<>" : xtextEncode(formatAuthMailbox(p.auth))}`);
  if (p.requireTls === true) out.push("REQUIRETLS");
  if (p.mtPriority !== undefined) {
    const m = p.mtPriority;
    checkFormat(Number.isInteger(m) && m >= -9 && m <= 9, "MT-PRIORITY", "must be an integer from -9 to 9");
    out.push(`MT-PRIORITY=${m}`);
  }
  if (p.by !== undefined) {
    const { time, mode, trace } = p.by;
    checkFormat(Number.isInteger(time) && Math.abs(time) <= 999_999_999, "BY", "by-time must have at most 9 digits");
    checkFormat(mode === "R" || (mode === "N" && time > 0), "BY", "mode must be R, or N with a positive by-time");
    out.push(`BY=${time};${mode}${trace ? "T" : ""}`);
  }
  return out;
}

/**
 * RCPT TO parameters as tokens: NOTIFY then ORCPT. A utf-8 ORCPT is written as
 * utf-8-addr-xtext, which is 7-bit and so valid with or without SMTPUTF8 (RFC 6533 §3).
 * @throws SmtpSyntaxError "bad-parameter" for a value the grammar cannot carry.
 */
export function formatRcptParams(p: RcptParams): string[] {
  const out: string[] = [];
  if (p.notify !== undefined) {
    const n = p.notify;
    const ok = n === "NEVER" || (n.length > 0 && new Set(n).size === n.length && n.every((e) => NOTIFY_EVENTS.includes(e)));
    checkFormat(ok, "NOTIFY", "must be NEVER or a list of distinct SUCCESS, FAILURE, DELAY");
    out.push(`NOTIFY=${n === "NEVER" ? n : n.join(",")}`);
  }
  if (p.orcpt !== undefined) {
    const { addrType, address } = p.orcpt;
    checkFormat(isAddrType(addrType) && address.length > 0, "ORCPT", "bad addr-type or empty address");
    let v: string;
    if (isUtf8Type(addrType)) {
      v = utf8AddrXtextEncode(address);
      checkFormat(isUtf8Mailbox(address), "ORCPT", "a utf-8 address must be a Mailbox");
    } else {
      checkFormat(isPrintable(address), "ORCPT", "address must be printable US-ASCII");
      v = xtextEncode(address);
    }
    out.push(`ORCPT=${addrType};${v}`);
  }
  return out;
}
