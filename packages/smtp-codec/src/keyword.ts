import type { Verb } from "./command.js";

/**
 * Allocation-free keyword matching for the command hot path. Verbs are case-insensitive
 * (RFC 5321 §2.4), so four characters are folded with `| 0x20` and packed into one integer that a
 * `switch` compares against constants. Folding with `| 0x20` is exact for letters: the only
 * code units that fold onto a lower-case letter are that letter and its upper-case form.
 */

/** Code unit at `i` of bytes or a string; for a string it may exceed 0xff. */
export function codeAt(line: Uint8Array | string, i: number): number {
  return typeof line === "string" ? line.charCodeAt(i) : (line[i] as number);
}

/**
 * Four code units from `i`, case-folded and packed; -1 if one of them is above 0xff, since the
 * shifts below would then overlap and could forge a match.
 */
function pack4(line: Uint8Array | string, i: number): number {
  const a = codeAt(line, i);
  const b = codeAt(line, i + 1);
  const c = codeAt(line, i + 2);
  const d = codeAt(line, i + 3);
  if ((a | b | c | d) > 0xff) return -1;
  return ((a | 0x20) << 24) | ((b | 0x20) << 16) | ((c | 0x20) << 8) | (d | 0x20);
}

function packLiteral(lower: string): number {
  return pack4(lower, 0);
}

const HELO = packLiteral("helo");
const EHLO = packLiteral("ehlo");
const LHLO = packLiteral("lhlo");
const MAIL = packLiteral("mail");
const RCPT = packLiteral("rcpt");
const DATA = packLiteral("data");
const BDAT = packLiteral("bdat");
const RSET = packLiteral("rset");
const VRFY = packLiteral("vrfy");
const EXPN = packLiteral("expn");
const HELP = packLiteral("help");
const NOOP = packLiteral("noop");
const QUIT = packLiteral("quit");
const AUTH = packLiteral("auth");
const STAR = packLiteral("star");
const TTLS = packLiteral("ttls");

/**
 * The verb that `line` starts with, or `undefined`. The verb must be followed by SP or by
 * `end` (the end of the line), so `MAILX` and `DATA\t` are not verbs.
 */
export function verbAt(line: Uint8Array | string, end: number): Verb | undefined {
  if (
    end >= 8 &&
    (end === 8 || codeAt(line, 8) === 0x20) &&
    pack4(line, 0) === STAR &&
    pack4(line, 4) === TTLS
  ) {
    return "STARTTLS";
  }
  if (end < 4 || (end > 4 && codeAt(line, 4) !== 0x20)) return undefined;
  switch (pack4(line, 0)) {
    case HELO:
      return "HELO";
    case EHLO:
      return "EHLO";
    case LHLO:
      return "LHLO";
    case MAIL:
      return "MAIL";
    case RCPT:
      return "RCPT";
    case DATA:
      return "DATA";
    case BDAT:
      return "BDAT";
    case RSET:
      return "RSET";
    case VRFY:
      return "VRFY";
    case EXPN:
      return "EXPN";
    case HELP:
      return "HELP";
    case NOOP:
      return "NOOP";
    case QUIT:
      return "QUIT";
    case AUTH:
      return "AUTH";
    default:
      return undefined;
  }
}

/**
 * Whether `s` holds `lower` at `i`, ASCII case-insensitively (RFC 5321 §2.4: `FROM:`, `TO:`,
 * `LAST` are keywords too). `lower` is lower-case ASCII; its letters compare case-folded, its
 * other characters (`:`, `<`, `>`) compare exactly, since folding would let a control
 * character pass for them (0x1a | 0x20 is `:`).
 */
export function startsWithCi(s: string, i: number, lower: string): boolean {
  if (i + lower.length > s.length) return false;
  for (let k = 0; k < lower.length; k++) {
    const want = lower.charCodeAt(k);
    const got = s.charCodeAt(i + k);
    if (want >= 0x61 && want <= 0x7a ? (got | 0x20) !== want : got !== want) return false;
  }
  return true;
}
