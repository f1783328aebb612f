import { type SmtpSyntaxError, syntaxError } from "./errors.js";

/**
 * Enhanced mail system status code `class.subject.detail` (RFC 3463 §2).
 * Structurally the same shape as `@smtpkit/smtp-reply-codes`' EnhancedCode, so values pass
 * between the packages without either importing the other.
 */
export interface EnhancedCode {
  readonly cls: 2 | 4 | 5;
  readonly subject: number;
  readonly detail: number;
}

/**
 * A server reply (RFC 5321 §4.2): a three-digit code, the enhanced status code when the reply
 * carries one (RFC 2034), and the text of each line without the code and without the enhanced code.
 */
export interface Reply {
  readonly code: number;
  readonly enhanced?: EnhancedCode;
  readonly lines: readonly string[];
}

/**
 * One line of a reply as it stood on the wire, before the lines are put together:
 * `Reply-code ( "-" / SP / nothing ) text`. `last` is true for the final line (SP or nothing
 * after the code). Integrator API: `ReplyReader` and `parseReply` share it.
 */
export interface ReplyLine {
  readonly code: number;
  readonly last: boolean;
  readonly text: string;
}

/** Reply-code = %x32-35 %x30-35 %x30-39  (RFC 5321 §4.2) */
const REPLY_CODE = /^[2-5][0-5][0-9]$/;

/**
 * status-code = class "." subject "." detail; class = "2"/"4"/"5"; subject = 1*3digit;
 * detail = 1*3digit  (RFC 3463 §2). Each sub-code "MUST be expressed without leading zero digits"
 * (same section), so "5.01.1" is not a status code: accepting it would give one code two spellings
 * and break the stripping of a repeated code from later lines.
 */
const STATUS_CODE = "([245])\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})";
const WHOLE_STATUS_CODE = new RegExp(`^${STATUS_CODE}$`);
/** RFC 2034 §4: the status code starts the text and is followed by a space (or ends the line). */
const LEADING_STATUS_CODE = new RegExp(`^${STATUS_CODE}(?: |$)`);

/** textstring = 1*(%d09 / %d32-126) ; HT, SP, Printable US-ASCII  (RFC 5321 §4.2) */
const TEXTSTRING = /^[\t\x20-\x7e]*$/;

/**
 * A server reply we cannot read. 451 4.5.0: a garbled reply proves nothing about the message, so a
 * client treats it like a dropped connection (transient: try later or the next MX).
 */
export function badReply(text: string): SmtpSyntaxError {
  return syntaxError("bad-reply", 451, "4.5.0", text);
}

/** A Reply value our own side cannot put on the wire: a local error (451 4.3.0). */
function unformattable(text: string): SmtpSyntaxError {
  return syntaxError("bad-reply", 451, "4.3.0", text);
}

/** At most 40 characters of untrusted input, quoted and escaped, for error messages. */
function show(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}

function toEnhanced(match: RegExpExecArray): EnhancedCode {
  return { cls: Number(match[1]) as 2 | 4 | 5, subject: Number(match[2]), detail: Number(match[3]) };
}

/**
 * `status-code = class "." subject "." detail` (RFC 3463 §2), the whole string and nothing else;
 * `undefined` if `s` is not one. Never throws.
 */
export function tryParseEnhancedCode(s: string): EnhancedCode | undefined {
  const match = WHOLE_STATUS_CODE.exec(s);
  return match === null ? undefined : toEnhanced(match);
}

function isSubCode(n: unknown): boolean {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 999;
}

/**
 * `class "." subject "." detail` (RFC 3463 §2). Throws `SmtpSyntaxError("bad-reply")` unless the
 * class is 2, 4 or 5 and subject and detail are integers 0–999 (1*3digit).
 */
export function formatEnhancedCode(e: EnhancedCode): string {
  if ((e.cls !== 2 && e.cls !== 4 && e.cls !== 5) || !isSubCode(e.subject) || !isSubCode(e.detail)) {
    throw unformattable(`not an enhanced status code: ${show(`${e.cls}.${e.subject}.${e.detail}`)} (RFC 3463 §2)`);
  }
  return `${e.cls}.${e.subject}.${e.detail}`;
}

/**
 * One reply line without its line ending:
 * `Reply-code "-" [ textstring ]` or `Reply-code [ SP textstring ]`  (RFC 5321 §4.2).
 *
 * Only the code and the separator are checked. The text is whatever follows the single separator
 * (leading and trailing whitespace kept), not checked against textstring: it is for humans, and a
 * client must still understand a server that puts UTF-8 or stray control characters in it.
 * `250` alone and `250 ` are final lines with empty text; `250-` is a continuation with empty text.
 */
export function parseReplyLine(line: string): ReplyLine {
  const code = line.slice(0, 3);
  if (!REPLY_CODE.test(code)) {
    throw badReply(`reply line does not start with a reply code (RFC 5321 §4.2): ${show(line)}`);
  }
  if (line.length === 3) return { code: Number(code), last: true, text: "" };
  const sep = line[3];
  if (sep !== "-" && sep !== " ") {
    throw badReply(`reply code not followed by "-" or SP (RFC 5321 §4.2): ${show(line)}`);
  }
  return { code: Number(code), last: sep === " ", text: line.slice(4) };
}

/**
 * Put the lines of one reply together. "In a multiline reply, the reply code on each of the lines
 * MUST be the same" (RFC 5321 §4.2.1); only the last line is final.
 *
 * Enhanced code (RFC 2034 §4): taken from the start of the first line when its class equals the
 * first digit of the reply code; "250 5.1.1 x" is a 250 whose text is "5.1.1 x". Every line that
 * starts with that same code has it stripped with the one SP after it; a line that does not (or
 * starts with another code) keeps its text whole. Further spaces stay in the text.
 */
export function replyFromLines(lines: readonly ReplyLine[]): Reply {
  const first = lines[0];
  if (first === undefined) throw badReply("a reply has at least one line (RFC 5321 §4.2)");
  lines.forEach((line, i) => {
    if (line.code !== first.code) {
      throw badReply(`reply lines carry different codes, ${first.code} and ${line.code} (RFC 5321 §4.2.1)`);
    }
    if (line.last !== (i === lines.length - 1)) {
      throw badReply("only the last line of a reply may be final (RFC 5321 §4.2)");
    }
  });
  const match = LEADING_STATUS_CODE.exec(first.text);
  const enhanced = match === null ? undefined : toEnhanced(match);
  if (enhanced === undefined || enhanced.cls !== Math.floor(first.code / 100)) {
    return { code: first.code, lines: lines.map((l) => l.text) };
  }
  const token = formatEnhancedCode(enhanced);
  const strip = (text: string): string =>
    text === token ? "" : text.startsWith(`${token} `) ? text.slice(token.length + 1) : text;
  return { code: first.code, enhanced, lines: lines.map((l) => strip(l.text)) };
}

/**
 * A complete reply as text:
 * `Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF`
 * (RFC 5321 §4.2), with the enhanced code of RFC 2034 split off (see `replyFromLines`).
 *
 * Every line must end with CRLF; a bare LF is accepted too, as `ReplyReader` does. Throws
 * `SmtpSyntaxError("bad-reply")` for a malformed line, differing codes, a missing final line or
 * anything after it. Line length is not checked here (`ReplyReader` does that on the wire).
 */
export function parseReply(text: string): Reply {
  const lines: ReplyLine[] = [];
  let pos = 0;
  while (pos < text.length) {
    const lf = text.indexOf("\n", pos);
    if (lf < 0) throw badReply("reply does not end with CRLF (RFC 5321 §4.2)");
    if (lines[lines.length - 1]?.last === true) {
      throw badReply("text after the final line of a reply (RFC 5321 §4.2)");
    }
    const end = lf > pos && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
    lines.push(parseReplyLine(text.slice(pos, end)));
    pos = lf + 1;
  }
  if (lines.length > 0 && lines[lines.length - 1]?.last !== true) {
    throw badReply("reply ends without a final line (RFC 5321 §4.2)");
  }
  return replyFromLines(lines);
}

/**
 * The wire form of a reply: `code-text CRLF` for each line but the last, `code SP text CRLF` for the
 * last, with the enhanced code at the start of every line's text as RFC 2034 §4 requires. An empty
 * last line is `code SP CRLF`: "servers SHOULD send the <SP> if subsequent text is not sent"
 * (RFC 5321 §4.2.1), though the ABNF alone would drop it.
 *
 * Throws `SmtpSyntaxError("bad-reply")` when the code is not a Reply-code (RFC 5321 §4.2), there
 * are no lines, a line is not a textstring (CR, LF, other controls, non-ASCII), or the enhanced
 * code is malformed or its class is not the code's first digit. Long lines are not refused: keep
 * each under 512 octets including code and CRLF (RFC 5321 §4.5.3.1.5) by splitting the text into
 * more lines.
 *
 * A reply without `enhanced` whose first line starts with a status code of the matching class
 * (`{ code: 250, lines: ["2.0.0 Ok"] }`) has the same wire form as one with it, and so parses back
 * with `enhanced` set.
 */
export function formatReply(reply: Reply): string {
  const code = String(reply.code);
  if (!REPLY_CODE.test(code)) throw unformattable(`not a reply code (RFC 5321 §4.2): ${show(code)}`);
  if (reply.lines.length === 0) throw unformattable("a reply has at least one line (RFC 5321 §4.2)");
  let prefix = "";
  if (reply.enhanced !== undefined) {
    prefix = formatEnhancedCode(reply.enhanced);
    if (String(reply.enhanced.cls) !== code[0]) {
      throw unformattable(`enhanced code ${prefix} does not match reply code ${code} (RFC 2034 §4)`);
    }
  }
  const last = reply.lines.length - 1;
  return reply.lines
    .map((text, i) => {
      if (!TEXTSTRING.test(text)) {
        throw unformattable(`reply text is not a textstring (RFC 5321 §4.2): ${show(text)}`);
      }
      const body = prefix === "" ? text : text === "" ? prefix : `${prefix} ${text}`;
      return i < last ? `${code}-${body}\r\n` : `${code} ${body}\r\n`;
    })
    .join("");
}
