import { syntaxError } from "./errors.js";
import { badReply, type Reply } from "./reply.js";

/**
 * What a server said in its EHLO reply (RFC 5321 §4.1.1.1), typed. Extensions that change how a
 * client talks get a field; every other keyword is kept in `others`.
 */
export interface Capabilities {
  /** The first word of the first line: the server's `Domain / address-literal`. */
  readonly domain: string;
  /** The rest of the first line after the SP that follows the domain (`ehlo-greet`), as sent; "" if none. */
  readonly greeting: string;
  /**
   * SIZE (RFC 1870): absent when not advertised; else the fixed maximum message size in octets, or
   * 0 when there is none. RFC 1870 §4 gives `SIZE 0` that meaning; `SIZE` without a value and a
   * value we cannot read (not digits, beyond 2^53) are read the same way, since the extension
   * itself is still offered. Check a message with `size > 0 && length > size`.
   */
  readonly size?: number;
  /** AUTH mechanisms (RFC 4954 §3), upper-cased, in order, each once; merged with legacy `AUTH=`. */
  readonly auth: readonly string[];
  /** PIPELINING (RFC 2920). */
  readonly pipelining: boolean;
  /** 8BITMIME (RFC 6152). */
  readonly eightBitMime: boolean;
  /** SMTPUTF8 (RFC 6531 §3.1). */
  readonly smtputf8: boolean;
  /** CHUNKING, the BDAT command (RFC 3030 §2). */
  readonly chunking: boolean;
  /** BINARYMIME (RFC 3030 §3). */
  readonly binaryMime: boolean;
  /** DSN (RFC 3461). */
  readonly dsn: boolean;
  /** ENHANCEDSTATUSCODES (RFC 2034). */
  readonly enhancedStatusCodes: boolean;
  /** STARTTLS (RFC 3207). */
  readonly startTls: boolean;
  /** REQUIRETLS (RFC 8689). */
  readonly requireTls: boolean;
  /** MT-PRIORITY (RFC 6710): absent when not advertised; the priority policy name upper-cased, or "". */
  readonly mtPriority?: string;
  /**
   * DELIVERBY (RFC 2852 §2): absent when not advertised; the server's min-by-time in seconds, 0
   * when it gives none (or one we cannot read).
   */
  readonly deliverBy?: number;
  /** Every other keyword, upper-cased, with its parameters as sent; a repeated keyword keeps its last line. */
  readonly others: ReadonlyMap<string, readonly string[]>;
}

/** ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")  (RFC 5321 §4.1.1.1) */
const EHLO_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
/** ehlo-param = 1*(%d33-126)  (RFC 5321 §4.1.1.1); also the shape of a Domain or address-literal word. */
const EHLO_PARAM = /^[\x21-\x7e]+$/;
/** The legacy `AUTH=LOGIN PLAIN` line of pre-RFC 2554 drafts, still sent for old Outlook clients. */
const LEGACY_AUTH = /^AUTH=/i;

type Flag =
  | "pipelining"
  | "eightBitMime"
  | "smtputf8"
  | "chunking"
  | "binaryMime"
  | "dsn"
  | "enhancedStatusCodes"
  | "startTls"
  | "requireTls";

/** Keyword of each boolean extension, in the order `formatCapabilities` writes them. */
const FLAGS: readonly (readonly [string, Flag])[] = [
  ["PIPELINING", "pipelining"],
  ["8BITMIME", "eightBitMime"],
  ["SMTPUTF8", "smtputf8"],
  ["CHUNKING", "chunking"],
  ["BINARYMIME", "binaryMime"],
  ["DSN", "dsn"],
  ["ENHANCEDSTATUSCODES", "enhancedStatusCodes"],
  ["STARTTLS", "startTls"],
  ["REQUIRETLS", "requireTls"],
];
const FLAG_BY_KEYWORD = new Map<string, Flag>(FLAGS);
const TYPED_KEYWORDS = new Set(["SIZE", "AUTH", "MT-PRIORITY", "DELIVERBY", ...FLAG_BY_KEYWORD.keys()]);

/** Upper-case ASCII letters only: keywords are ASCII, and `toUpperCase` would turn "ß" into "SS". */
function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** `1*DIGIT` of at most `maxDigits` significant digits that is a safe integer, else `undefined`. */
function decimal(s: string | undefined, maxDigits: number): number | undefined {
  if (s === undefined || !/^[0-9]+$/.test(s) || s.replace(/^0+(?=.)/, "").length > maxDigits) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *             / ( "250-" Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF )
 * ehlo-line   = ehlo-keyword *( SP ehlo-param )            (RFC 5321 §4.1.1.1)
 *
 * Keywords are case-insensitive. Lenient, because a client must still talk to a slightly broken
 * server: parameters may be separated by several spaces or tabs, a line whose keyword is not an
 * ehlo-keyword is skipped, flags ignore stray parameters, bad SIZE / DELIVERBY values read as 0.
 * Only a reply that is not a 250 throws `SmtpSyntaxError("bad-reply")` (a client falls back to
 * HELO on a 5xx before calling this).
 */
export function parseCapabilities(reply: Reply): Capabilities {
  if (reply.code !== 250) throw badReply(`EHLO reply code is ${reply.code}, not 250 (RFC 5321 §4.1.1.1)`);
  const [first = "", ...rest] = reply.lines;
  const sp = first.indexOf(" ");
  const flags = new Set<Flag>();
  const auth = new Set<string>();
  const others = new Map<string, readonly string[]>();
  let size: number | undefined;
  let mtPriority: string | undefined;
  let deliverBy: number | undefined;
  for (const line of rest) {
    const [keyword = "", ...params] = line.split(/[ \t]+/).filter((word) => word !== "");
    const name = asciiUpper(keyword);
    if (LEGACY_AUTH.test(keyword)) {
      for (const mech of [keyword.slice(5), ...params]) if (mech !== "") auth.add(asciiUpper(mech));
      continue;
    }
    if (!EHLO_KEYWORD.test(keyword)) continue;
    const flag = FLAG_BY_KEYWORD.get(name);
    if (flag !== undefined) {
      flags.add(flag);
      continue;
    }
    switch (name) {
      case "AUTH":
        for (const mech of params) auth.add(asciiUpper(mech));
        break;
      case "SIZE":
        // size-param = [1*DIGIT] (RFC 1870 §4); 2^53 - 1 has 16 digits.
        size = decimal(params[0], 16) ?? 0;
        break;
      case "MT-PRIORITY":
        mtPriority = asciiUpper(params[0] ?? "");
        break;
      case "DELIVERBY":
        // A comma-separated option list whose first option is min-by-time = 1*9DIGIT (RFC 2852 §2).
        deliverBy = decimal(params[0]?.split(",")[0], 9) ?? 0;
        break;
      default:
        others.set(name, params);
    }
  }
  return {
    domain: sp < 0 ? first : first.slice(0, sp),
    greeting: sp < 0 ? "" : first.slice(sp + 1),
    ...(size === undefined ? {} : { size }),
    auth: [...auth],
    pipelining: flags.has("pipelining"),
    eightBitMime: flags.has("eightBitMime"),
    smtputf8: flags.has("smtputf8"),
    chunking: flags.has("chunking"),
    binaryMime: flags.has("binaryMime"),
    dsn: flags.has("dsn"),
    enhancedStatusCodes: flags.has("enhancedStatusCodes"),
    startTls: flags.has("startTls"),
    requireTls: flags.has("requireTls"),
    ...(mtPriority === undefined ? {} : { mtPriority }),
    ...(deliverBy === undefined ? {} : { deliverBy }),
    others,
  };
}

function invalid(text: string) {
  return syntaxError("bad-reply", 451, "4.3.0", text);
}

function checkParam(what: string, value: string): string {
  if (!EHLO_PARAM.test(value)) {
    throw invalid(`${what} is not an ehlo-param (RFC 5321 §4.1.1.1): ${JSON.stringify(value.slice(0, 40))}`);
  }
  return value;
}

/**
 * The EHLO reply for `c`: code 250, first line `domain [SP greeting]`, then one line per extension
 * (flags, SIZE, AUTH, MT-PRIORITY, DELIVERBY, then `others` in map order). `formatReply` puts it on
 * the wire. `parseCapabilities(formatCapabilities(c))` equals `c` for values as `parseCapabilities`
 * makes them (upper-case names, no repeated mechanisms).
 *
 * Throws `SmtpSyntaxError("bad-reply")` for a domain that is empty or has spaces or controls, a
 * SIZE that is not a non-negative safe integer, a DELIVERBY outside 0–999999999, a mechanism,
 * policy name or parameter that is not an ehlo-param, or an `others` key that is not an
 * ehlo-keyword or names an extension that has a typed field. (The greeting is checked by
 * `formatReply`.)
 */
export function formatCapabilities(c: Capabilities): Reply {
  checkParam("domain", c.domain);
  const lines = [c.greeting === "" ? c.domain : `${c.domain} ${c.greeting}`];
  for (const [keyword, flag] of FLAGS) if (c[flag]) lines.push(keyword);
  if (c.size !== undefined) {
    if (!Number.isSafeInteger(c.size) || c.size < 0) throw invalid(`SIZE must be a non-negative integer, got ${c.size}`);
    lines.push(c.size === 0 ? "SIZE" : `SIZE ${c.size}`);
  }
  if (c.auth.length > 0) lines.push(["AUTH", ...c.auth.map((m) => checkParam("AUTH mechanism", m))].join(" "));
  if (c.mtPriority !== undefined) {
    lines.push(c.mtPriority === "" ? "MT-PRIORITY" : `MT-PRIORITY ${checkParam("MT-PRIORITY policy", c.mtPriority)}`);
  }
  if (c.deliverBy !== undefined) {
    if (!Number.isInteger(c.deliverBy) || c.deliverBy < 0 || c.deliverBy > 999_999_999) {
      throw invalid(`DELIVERBY min-by-time must be an integer 0-999999999 (RFC 2852 §2), got ${c.deliverBy}`);
    }
    lines.push(c.deliverBy === 0 ? "DELIVERBY" : `DELIVERBY ${c.deliverBy}`);
  }
  for (const [keyword, params] of c.others) {
    if (!EHLO_KEYWORD.test(keyword) || TYPED_KEYWORDS.has(asciiUpper(keyword))) {
      throw invalid(`not an ehlo-keyword, or one with a typed field: ${JSON.stringify(keyword.slice(0, 40))}`);
    }
    lines.push([keyword, ...params.map((p) => checkParam(`${keyword} parameter`, p))].join(" "));
  }
  return { code: 250, lines };
}
