/**
 * fast-check arbitraries for the address and parameter values of smtp-codec. Each one generates
 * only VALID values, within the RFC 5321 §4.5.3.1 length limits, whose format -> parse round-trips
 * to an equal value. Test-only: not exported from the package.
 */
import fc from "fast-check";
import type { DeliverBy, MailParams, Notify, OriginalRecipient, RcptParams } from "../esmtp-params.js";
import type { ForwardPath, Mailbox, ReversePath } from "../path.js";
import { formatMailbox } from "../path.js";

export interface AddressArbOptions {
  /** Include UTF-8 in local parts and U-label sub-domains (RFC 6531). Default false. */
  readonly smtputf8?: boolean;
}

const utf8Octets = (s: string): number => Buffer.byteLength(s, "utf8");

const DIGITS = "0123456789";
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LET_DIG = [...LETTERS, ...DIGITS];
const ATEXT = [...LET_DIG, ..."!#$%&'*+-/=?^_`{|}~"];
/** dcontent = %d33-90 / %d94-126 (RFC 5321 §4.1.3). */
const DCONTENT = Array.from({ length: 126 - 33 + 1 }, (_, k) => String.fromCharCode(33 + k)).filter(
  (ch) => ch !== "[" && ch !== "\\" && ch !== "]",
);

/** One non-ASCII scalar value at or above U+00A0 (C1 controls are refused by the parser). */
export const nonAsciiCharArb = (): fc.Arbitrary<string> =>
  fc.oneof(
    // Mostly letters of real scripts, so that U-labels and local parts look plausible ...
    fc.constantFrom("é", "ß", "ü", "ø", "用", "户", "例", "子", "广", "告", "θ", "я", "ע", "ก", "😀"),
    // ... and anything else, astral planes included.
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((ch) => (ch.codePointAt(0) ?? 0) >= 0xa0),
  );

const letDigArb = (utf8: boolean): fc.Arbitrary<string> =>
  utf8 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...LET_DIG) }, nonAsciiCharArb()) : fc.constantFrom(...LET_DIG);

/** `sub-domain = Let-dig [Ldh-str]`, or a U-label-like run when `utf8`. At most ~40 chars. */
const labelArb = (utf8: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    letDigArb(utf8),
    fc
      .tuple(
        letDigArb(utf8),
        fc.string({ unit: fc.oneof(letDigArb(utf8), fc.constant("-")), maxLength: 38 }),
        letDigArb(utf8),
      )
      .map(([a, mid, z]) => a + mid + z),
  );

/** A `Domain` (RFC 5321 §4.1.2): 1 to 5 labels, at most 255 octets; hostname-style for HELO/EHLO. */
export const domainArb = (opts?: AddressArbOptions): fc.Arbitrary<string> =>
  fc
    .array(labelArb(opts?.smtputf8 === true), { minLength: 1, maxLength: 5 })
    .map((labels) => labels.join("."))
    .filter((d) => utf8Octets(d) <= 255);

const ipv4Arb = (): fc.Arbitrary<string> =>
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));

const hexGroupArb = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 1, maxLength: 4 });

const groupsArb = (max: number): fc.Arbitrary<string[]> => fc.array(hexGroupArb(), { maxLength: max });

/** The four IPv6-addr forms of RFC 5321 §4.1.3, with the group counts it allows. */
const ipv6AddrArb = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.array(hexGroupArb(), { minLength: 8, maxLength: 8 }).map((g) => g.join(":")),
    fc
      .tuple(groupsArb(6), groupsArb(6))
      .filter(([a, b]) => a.length + b.length <= 6)
      .map(([a, b]) => `${a.join(":")}::${b.join(":")}`),
    fc
      .tuple(fc.array(hexGroupArb(), { minLength: 6, maxLength: 6 }), ipv4Arb())
      .map(([g, v4]) => `${g.join(":")}:${v4}`),
    fc
      .tuple(groupsArb(4), groupsArb(4), ipv4Arb())
      .filter(([a, b]) => a.length + b.length <= 4)
      .map(([a, b, v4]) => `${a.join(":")}::${b.map((g) => `${g}:`).join("")}${v4}`),
  );

/** `Standardized-tag = Ldh-str`, anything but "IPv6" (which has its own grammar). */
const tagArb = (): fc.Arbitrary<string> =>
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...LET_DIG, "-"), maxLength: 10 }), fc.constantFrom(...LET_DIG))
    .map(([a, z]) => a + z)
    .filter((t) => t.toLowerCase() !== "ipv6");

/** An `address-literal` (RFC 5321 §4.1.3), brackets included: IPv4, any IPv6 form, or general. */
export const addressLiteralArb = (): fc.Arbitrary<string> =>
  fc.oneof(
    ipv4Arb().map((a) => `[${a}]`),
    fc.tuple(fc.constantFrom("IPv6", "ipv6", "IPV6"), ipv6AddrArb()).map(([t, a]) => `[${t}:${a}]`),
    fc
      .tuple(tagArb(), fc.string({ unit: fc.constantFrom(...DCONTENT), minLength: 1, maxLength: 20 }))
      .map(([t, c]) => `[${t}:${c}]`),
  );

const atomArb = (utf8: boolean): fc.Arbitrary<string> =>
  fc.string({
    unit: utf8 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ATEXT) }, nonAsciiCharArb()) : fc.constantFrom(...ATEXT),
    minLength: 1,
    maxLength: 12,
  });

/** A local-part VALUE: a Dot-string, or anything a Quoted-string can carry (empty included). */
const localPartArb = (utf8: boolean): fc.Arbitrary<string> =>
  fc.oneof(
    fc.array(atomArb(utf8), { minLength: 1, maxLength: 4 }).map((atoms) => atoms.join(".")),
    fc.string({
      // grapheme-ascii is %d32-126: every char a quoted string may hold, `"` and `\` included.
      unit: utf8 ? fc.oneof({ weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) }, nonAsciiCharArb()) : "grapheme-ascii",
      maxLength: 30,
    }),
  );

/**
 * A `Mailbox` (RFC 5321 §4.1.2) whose wire form fits a Path: local part <= 64 octets as written,
 * domain <= 255, and "<" mailbox ">" <= 256 octets.
 */
export const mailboxArb = (opts?: AddressArbOptions): fc.Arbitrary<Mailbox> => {
  const utf8 = opts?.smtputf8 === true;
  return fc
    .record({
      localPart: localPartArb(utf8),
      domain: fc.oneof({ weight: 4, arbitrary: domainArb(opts) }, addressLiteralArb()),
    }, { noNullPrototype: true })
    .filter((m) => {
      const wire = formatMailbox(m);
      // Not lastIndexOf("@"): a general address literal may hold "@" itself.
      const local = wire.slice(0, wire.length - m.domain.length - 1);
      return utf8Octets(local) <= 64 && utf8Octets(wire) + 2 <= 256;
    });
};

/** `Reverse-path = Path / "<>"`: a mailbox, or `null` for the null path. */
export const reversePathArb = (opts?: AddressArbOptions): fc.Arbitrary<ReversePath> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: mailboxArb(opts) });

/** `Forward-path = Path`, or `<Postmaster>`. */
export const forwardPathArb = (opts?: AddressArbOptions): fc.Arbitrary<ForwardPath> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant({ postmaster: true } as const) },
    { weight: 5, arbitrary: mailboxArb(opts) },
  );

/** Printable US-ASCII %d32-126, what RFC 3461 allows in ENVID and an rfc822 ORCPT before xtext. */
const printableArb = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: "grapheme-ascii", minLength: min, maxLength: max });

const deliverByArb = (): fc.Arbitrary<DeliverBy> =>
  fc.oneof(
    // RFC 2852 §4: mode N needs a positive time; mode R may be zero or negative.
    fc.record(
      { time: fc.integer({ min: 1, max: 999_999_999 }), mode: fc.constant("N" as const), trace: fc.boolean() },
      { noNullPrototype: true },
    ),
    fc.record({
      time: fc.integer({ min: -999_999_999, max: 999_999_999 }),
      mode: fc.constant("R" as const),
      trace: fc.boolean(),
    }, { noNullPrototype: true }),
  );

const mailRecordArb = (smtputf8: boolean) =>
  fc.record(
    {
      size: fc.maxSafeNat(),
      body: fc.constantFrom("7BIT", "8BITMIME", "BINARYMIME"),
      ret: fc.constantFrom("FULL", "HDRS"),
      envid: printableArb(1, 33),
      // AUTH may carry UTF-8 only when the same MAIL command turns SMTPUTF8 on.
      auth: fc.option(mailboxArb({ smtputf8 }), { nil: null }),
      requireTls: fc.constant(true as const),
      mtPriority: fc.integer({ min: -9, max: 9 }),
      by: deliverByArb(),
    },
    { requiredKeys: [], noNullPrototype: true },
  );

/** Valid `MailParams`: any subset of the typed fields, each with a valid value. */
export const mailParamsArb = (): fc.Arbitrary<MailParams> =>
  fc.oneof(
    mailRecordArb(false),
    mailRecordArb(true).map((p): MailParams => ({ ...p, smtputf8: true })),
  );

const notifyArb = (): fc.Arbitrary<Notify> =>
  fc.oneof(
    fc.constant("NEVER" as const),
    fc.shuffledSubarray(["SUCCESS", "FAILURE", "DELAY"] as const, { minLength: 1 }),
  );

const orcptArb = (): fc.Arbitrary<OriginalRecipient> =>
  fc.oneof(
    fc.record({ addrType: fc.constantFrom("rfc822", "RFC822"), address: printableArb(1, 60) }, { noNullPrototype: true }),
    fc.record({
      addrType: fc.constant("utf-8"),
      address: mailboxArb({ smtputf8: true }).map((m) => formatMailbox(m)),
    }, { noNullPrototype: true }),
  );

/** Valid `RcptParams`: any subset of NOTIFY and ORCPT. */
export const rcptParamsArb = (): fc.Arbitrary<RcptParams> =>
  fc.record({ notify: notifyArb(), orcpt: orcptArb() }, { requiredKeys: [], noNullPrototype: true });
