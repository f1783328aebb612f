import type { MailParams, RcptParams } from "./esmtp-params.js";
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

export interface ParseCommandOptions {
  /**
   * SMTPUTF8 is in force for the transaction (RFC 6531): RCPT may carry UTF-8 paths. For MAIL the
   * SMTPUTF8 parameter on the same line turns it on.
   */
  readonly smtputf8?: boolean;
}
