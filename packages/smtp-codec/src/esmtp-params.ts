import type { Mailbox } from "./path.js";

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
