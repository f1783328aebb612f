/**
 * The host half of an address: `Domain` and `address-literal` (RFC 5321 §4.1.2, §4.1.3), with the
 * U-label extension of RFC 6531 §3.3. Readers work on char codes of a string and return the index
 * just after what they matched, or a negative result, so that each caller can raise the error its
 * own command calls for (a bad HELO argument is not a bad recipient).
 */

/** The text at the start index is not what the grammar asks for. */
export const NOT_MATCHED = -1;
/** Non-ASCII where it would be allowed only with SMTPUTF8 (RFC 6531 §3.3), which is not in force. */
export const UTF8_NOT_ALLOWED = -2;

const HYPHEN = 2;
/** 1 for Let-dig (ALPHA / DIGIT), 2 for "-", 0 otherwise (RFC 5321 §4.1.2). */
const LDH = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) LDH[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) LDH[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) LDH[c] = 1;
LDH[0x2d] = HYPHEN;

/**
 * Code units taken by the non-ASCII character at `s[i]`: 1, 2 for a surrogate pair, or 0 when it
 * is not acceptable. C1 controls (U+0080..U+009F) are refused because control characters never
 * belong in an address; a lone surrogate is refused because it has no UTF-8 form.
 */
export function nonAsciiWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xa0) return 0;
  if (c < 0xd800 || c > 0xdfff) return 1;
  if (c > 0xdbff) return 0;
  const d = s.charCodeAt(i + 1); // NaN past the end, which fails the test below
  return d >= 0xdc00 && d <= 0xdfff ? 2 : 0;
}

/** UTF-8 octets of `s[from..to)`, which must be well-formed UTF-16 (the readers check that first). */
export function utf8Length(s: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is 2 code units and 4 octets: each unit adds one.
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

/**
 * ```abnf
 * Domain     = sub-domain *("." sub-domain)        ; RFC 5321 §4.1.2
 * sub-domain = Let-dig [Ldh-str]
 * Let-dig    = ALPHA / DIGIT
 * Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
 * sub-domain =/ U-label                            ; RFC 6531 §3.3, only with SMTPUTF8
 * ```
 * Reads the longest Domain at `start`. A U-label is taken as any run of Let-dig, "-" and non-ASCII
 * characters that neither starts nor ends with "-"; IDNA2008 rules (RFC 5891) are not checked.
 * Label length (63 octets in the DNS) is not checked either: only the 255-octet Domain limit of
 * §4.5.3.1.2 applies, and that is the caller's.
 * @returns the index after the Domain, `NOT_MATCHED` or `UTF8_NOT_ALLOWED`.
 */
export function readDomain(s: string, start: number, smtputf8 = false): number {
  const n = s.length;
  let i = start;
  for (;;) {
    const label = i;
    let last = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const k = LDH[c] as number;
        if (k === 0) break;
        if (k === HYPHEN && i === label) return NOT_MATCHED;
        last = k;
        i++;
      } else {
        if (!smtputf8) return UTF8_NOT_ALLOWED;
        const w = nonAsciiWidth(s, i);
        if (w === 0) return NOT_MATCHED;
        last = 1;
        i += w;
      }
    }
    if (i === label || last === HYPHEN) return NOT_MATCHED;
    if (s.charCodeAt(i) !== 0x2e /* . */) return i;
    i++;
  }
}

/**
 * ```abnf
 * address-literal  = "[" ( IPv4-address-literal /
 *                          IPv6-address-literal /
 *                          General-address-literal ) "]"     ; RFC 5321 §4.1.3
 * IPv4-address-literal    = Snum 3("."  Snum)
 * IPv6-address-literal    = "IPv6:" IPv6-addr
 * General-address-literal = Standardized-tag ":" 1*dcontent
 * Standardized-tag        = Ldh-str
 * dcontent                = %d33-90 / %d94-126
 * ```
 * The tag "IPv6" is matched case-insensitively (ABNF strings are), and a literal tagged IPv6 must
 * hold a valid IPv6-addr: it never falls back to the general form. Other tags are accepted
 * although only IPv6 is registered, since §4.1.3 defines the general form for future tags.
 * Address literals never contain UTF-8 (RFC 6531 does not extend them).
 * @returns the index after "]" or `NOT_MATCHED`.
 */
export function readAddressLiteral(s: string, start: number): number {
  if (s.charCodeAt(start) !== 0x5b /* [ */) return NOT_MATCHED;
  const n = s.length;
  let close = start + 1;
  for (; close < n; close++) {
    const c = s.charCodeAt(close);
    if (c === 0x5d /* ] */) break;
    if (c < 33 || c > 126 || c === 0x5b || c === 0x5c) return NOT_MATCHED;
  }
  if (close >= n) return NOT_MATCHED;
  const a = start + 1;
  return isIPv4(s, a, close) || isTagged(s, a, close) ? close + 1 : NOT_MATCHED;
}

/** True when the whole of `s` is a Domain (see `readDomain`); for HELO/EHLO arguments. */
export function isDomain(s: string, opts?: { readonly smtputf8?: boolean }): boolean {
  return s.length > 0 && readDomain(s, 0, opts?.smtputf8 === true) === s.length;
}

/** True when the whole of `s` is an address literal, brackets included (see `readAddressLiteral`). */
export function isAddressLiteral(s: string): boolean {
  return readAddressLiteral(s, 0) === s.length;
}

/** `Snum = 1*3DIGIT` with a value of 0 through 255 (RFC 5321 §4.1.3). Returns the end or -1. */
function readSnum(s: string, i: number, b: number): number {
  let v = 0;
  let j = i;
  while (j < b && j - i < 3) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + c - 0x30;
    j++;
  }
  return j === i || v > 255 ? -1 : j;
}

/** `IPv4-address-literal = Snum 3("." Snum)` filling exactly `s[a..b)`. */
function isIPv4(s: string, a: number, b: number): boolean {
  let i = a;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (s.charCodeAt(i) !== 0x2e) return false;
      i++;
    }
    i = readSnum(s, i, b);
    if (i < 0) return false;
  }
  return i === b;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** `Standardized-tag ":" 1*dcontent`, or `"IPv6:" IPv6-addr` when the tag says so. */
function isTagged(s: string, a: number, b: number): boolean {
  let colon = a;
  let last = 0;
  for (; colon < b; colon++) {
    const c = s.charCodeAt(colon);
    if (c === 0x3a /* : */) break;
    last = c < 0x80 ? (LDH[c] as number) : 0;
    if (last === 0) return false;
  }
  // Ldh-str ends with a Let-dig, so it is never empty and never ends with "-".
  if (colon === a || colon === b || last !== 1) return false;
  if (
    colon - a === 4 &&
    (s.charCodeAt(a) | 0x20) === 0x69 &&
    (s.charCodeAt(a + 1) | 0x20) === 0x70 &&
    (s.charCodeAt(a + 2) | 0x20) === 0x76 &&
    s.charCodeAt(a + 3) === 0x36
  ) {
    return isIPv6(s, colon + 1, b);
  }
  // dcontent was checked by the caller while looking for "]"; it must not be empty.
  return colon + 1 < b;
}

/**
 * ```abnf
 * IPv6-addr   = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp   ; RFC 5321 §4.1.3
 * IPv6-hex    = 1*4HEXDIG
 * IPv6-full   = IPv6-hex 7(":" IPv6-hex)
 * IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
 *               ; no more than 6 groups in addition to the "::"
 * IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
 * IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::" [IPv6-hex *3(":" IPv6-hex) ":"]
 *               IPv4-address-literal
 *               ; no more than 4 groups in addition to the "::" and the IPv4 literal
 * ```
 * RFC 5321's "::" stands for at least two groups, so `1:2:3:4:5:6:7::` (allowed by RFC 4291) is
 * refused here.
 */
function isIPv6(s: string, a: number, b: number): boolean {
  let i = a;
  let groups = 0;
  let compressed = false;
  let v4 = false;
  if (s.charCodeAt(i) === 0x3a && s.charCodeAt(i + 1) === 0x3a && i + 1 < b) {
    compressed = true;
    i += 2;
  }
  while (i < b) {
    let j = i;
    // Read one digit past the limit so that an over-long group is seen as such.
    while (j < b && j - i < 5 && isHex(s.charCodeAt(j))) j++;
    if (j < b && s.charCodeAt(j) === 0x2e) {
      if (!isIPv4(s, i, b)) return false;
      v4 = true;
      break;
    }
    if (j === i || j - i > 4) return false;
    groups++;
    i = j;
    if (i === b) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < b && s.charCodeAt(i) === 0x3a) {
      if (compressed) return false;
      compressed = true;
      i++;
    } else if (i === b) {
      return false; // a single trailing ":"
    }
  }
  if (v4) return compressed ? groups <= 4 : groups === 6;
  return compressed ? groups <= 6 : groups === 8;
}
