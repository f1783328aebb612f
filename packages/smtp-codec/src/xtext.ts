/**
 * xtext, the encoding of ESMTP parameter values that may hold any octet (RFC 3461 §4):
 *
 * ```abnf
 * xtext   = *( xchar / hexchar )
 * xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive, except for "+" and "="
 * hexchar = ASCII "+" immediately followed by two upper case hexadecimal digits
 * ```
 * Values here are strings of Unicode text: each character is encoded as its UTF-8 octets, and
 * decoding requires the octets to be valid UTF-8.
 */
import { nonAsciiWidth } from "./domain.js";
import { type SmtpSyntaxError, syntaxError } from "./errors.js";

const HEX = "0123456789ABCDEF";

function badXtext(why: string): SmtpSyntaxError {
  return syntaxError("bad-parameter", 501, "5.5.4", `Bad xtext: ${why}`);
}

/** xchar of RFC 3461 §4: "!".."~" except "+" and "=". */
function isXchar(c: number): boolean {
  return c >= 33 && c <= 126 && c !== 0x2b && c !== 0x3d;
}

/** Value of an UPPER-CASE hex digit, or -1 (RFC 3461 §4 requires upper case). */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function hexOctet(b: number): string {
  return `+${HEX[b >> 4]}${HEX[b & 15]}`;
}

/**
 * Encode `s` as xtext: xchars stay, everything else ("+", "=", space, controls and each UTF-8
 * octet of a non-ASCII character) becomes "+XX" in upper-case hex (RFC 3461 §4).
 * @throws SmtpSyntaxError "bad-parameter" when `s` holds a lone surrogate, which has no UTF-8 form.
 */
export function xtextEncode(s: string): string {
  let i = 0;
  while (i < s.length && isXchar(s.charCodeAt(i))) i++;
  if (i === s.length) return s; // the common case: nothing to encode, no new string
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isXchar(c)) {
      out += s[i];
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) throw badXtext("lone surrogate");
      cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      i++;
    }
    if (cp < 0x80) {
      out += hexOctet(cp);
    } else if (cp < 0x800) {
      out += hexOctet(0xc0 | (cp >> 6)) + hexOctet(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      out += hexOctet(0xe0 | (cp >> 12)) + hexOctet(0x80 | ((cp >> 6) & 63)) + hexOctet(0x80 | (cp & 63));
    } else {
      out +=
        hexOctet(0xf0 | (cp >> 18)) +
        hexOctet(0x80 | ((cp >> 12) & 63)) +
        hexOctet(0x80 | ((cp >> 6) & 63)) +
        hexOctet(0x80 | (cp & 63));
    }
  }
  return out;
}

// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is data, kept.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decode xtext strictly (RFC 3461 §4): only xchars and "+" followed by two UPPER-CASE hex digits;
 * the octets must form valid UTF-8. The result may hold any character, controls included: callers
 * check what their parameter allows.
 * @throws SmtpSyntaxError "bad-parameter" (501 5.5.4).
 */
export function xtextDecode(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) break;
    if (!isXchar(c)) throw badXtext("character not allowed");
  }
  if (i === n) return s; // no hexchar: the text is its own value
  const bytes = new Uint8Array(n); // never more octets than input chars
  let len = 0;
  for (let k = 0; k < i; k++) bytes[len++] = s.charCodeAt(k);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) throw badXtext('"+" must be followed by two upper-case hex digits');
      bytes[len++] = (hi << 4) | lo;
      i += 2;
    } else if (isXchar(c)) {
      bytes[len++] = c;
    } else {
      throw badXtext("character not allowed");
    }
  }
  try {
    return utf8Decoder.decode(bytes.subarray(0, len));
  } catch (cause) {
    throw syntaxError("bad-parameter", 501, "5.5.4", "Bad xtext: not valid UTF-8", { cause });
  }
}

/*
 * RFC 6533 §3: the address of an ORCPT with addr-type "utf-8".
 *
 * utf-8-addr-xtext    = 1*(QCHAR / EmbeddedUnicodeChar)    ; 7-bit, usable without SMTPUTF8
 * utf-8-addr-unitext  = 1*(QUCHAR / EmbeddedUnicodeChar)   ; only with SMTPUTF8
 * QCHAR               = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e   ; no CTLs, SP, "\", "+", "="
 * QUCHAR              = QCHAR / UTF8-2 / UTF8-3 / UTF8-4
 * EmbeddedUnicodeChar = %x5C.78 "{" HEXPOINT "}"
 *
 * HEXPOINT is the code point in the fewest hex digits (two at least), never a surrogate.
 */

function isQchar(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x2b && c !== 0x3d && c !== 0x5c;
}

/** Hex digits HEXPOINT uses for `cp`: the fewest, and at least two. */
function hexpointDigits(cp: number): number {
  return cp < 0x100 ? 2 : cp < 0x1000 ? 3 : cp < 0x10000 ? 4 : cp < 0x100000 ? 5 : 6;
}

/**
 * May `cp` be written as an EmbeddedUnicodeChar? RFC 6533 allows the xtext specials and any
 * non-ASCII scalar value; control characters (C0, DEL and C1) are refused here because they can
 * never be part of a valid address.
 */
function isEmbeddable(cp: number): boolean {
  if (cp < 0xa0) return cp === 0x20 || cp === 0x2b || cp === 0x3d || cp === 0x5c;
  return cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

function hexDigitAnyCase(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/**
 * Encode an address as utf-8-addr-xtext (RFC 6533 §3): QCHARs stay, every other character becomes
 * `\x{HEX}`. The result is 7-bit and is also valid xtext, so it is safe in ORCPT with or without
 * SMTPUTF8.
 * @throws SmtpSyntaxError "bad-parameter" for a control character or a lone surrogate.
 */
export function utf8AddrXtextEncode(s: string): string {
  let out = "";
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isQchar(c)) continue;
    const cp = s.codePointAt(i) as number;
    if (!isEmbeddable(cp)) throw badXtext("control character or lone surrogate in a utf-8 address");
    out += `${s.slice(k, i)}\\x{${cp.toString(16).toUpperCase().padStart(2, "0")}}`;
    if (cp > 0xffff) i++;
    k = i + 1;
  }
  return k === 0 ? s : out + s.slice(k);
}

/**
 * Decode utf-8-addr-xtext, or utf-8-addr-unitext when `unitext` (SMTPUTF8 in force), RFC 6533 §3.
 * Hex digits are accepted in either case (ABNF literals are case-insensitive); the HEXPOINT must
 * use the fewest digits, as the grammar says.
 * @throws SmtpSyntaxError "bad-parameter"; "utf8-not-allowed" (553 5.6.7) for raw non-ASCII
 *   without SMTPUTF8.
 */
export function utf8AddrXtextDecode(s: string, unitext: boolean): string {
  const n = s.length;
  if (n === 0) throw badXtext("empty utf-8 address");
  let out = "";
  let k = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isQchar(c)) {
      i++;
    } else if (c === 0x5c) {
      if (s.charCodeAt(i + 1) !== 0x78 || s.charCodeAt(i + 2) !== 0x7b) throw badXtext('"\\" must start "\\x{"');
      let j = i + 3;
      let cp = 0;
      // Read at most 7 digits: enough to see that an 8-digit run is too long.
      while (j < n && j - i - 3 < 7) {
        const h = hexDigitAnyCase(s.charCodeAt(j));
        if (h < 0) break;
        cp = cp * 16 + h;
        j++;
      }
      const digits = j - i - 3;
      if (s.charCodeAt(j) !== 0x7d || !isEmbeddable(cp) || digits !== hexpointDigits(cp)) {
        throw badXtext("bad \\x{HEXPOINT}");
      }
      out += s.slice(k, i) + String.fromCodePoint(cp);
      i = j + 1;
      k = i;
    } else if (c >= 0x80) {
      if (!unitext) throw syntaxError("utf8-not-allowed", 553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
      const w = nonAsciiWidth(s, i);
      if (w === 0) throw badXtext("control character or lone surrogate");
      i += w;
    } else {
      throw badXtext("character not allowed");
    }
  }
  return k === 0 ? s : out + s.slice(k);
}
