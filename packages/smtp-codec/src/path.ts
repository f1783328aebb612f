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
