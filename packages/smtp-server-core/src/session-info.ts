import type { ForwardPath, MailParams, RcptParams, ReversePath } from "@smtpkit/smtp-codec";
import type { AuthIdentity, Envelope, Recipient, Session, TlsInfo } from "./types.js";

/** The `Session` hooks see; the connection updates it as the dialogue goes on. */
export class SessionInfo implements Session {
  readonly id: string;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  proxy: { readonly address: string; readonly port: number } | undefined = undefined;
  tls: TlsInfo | undefined = undefined;
  secure = false;
  helo: { readonly verb: "HELO" | "EHLO" | "LHLO"; readonly domain: string } | undefined = undefined;
  auth: AuthIdentity | undefined = undefined;
  envelope: Envelope | undefined = undefined;
  transactions = 0;
  readonly lmtp: boolean;
  readonly locals: Record<string, unknown> = {};

  constructor(id: string, remote: { address: string; port: number }, local: { address: string; port: number }, lmtp: boolean) {
    this.id = id;
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
    this.localAddress = local.address;
    this.localPort = local.port;
    this.lmtp = lmtp;
  }
}

/** The mail transaction: the `Envelope` hooks see, plus what the server tracks for it. */
export class Transaction implements Envelope {
  readonly mailFrom: ReversePath;
  readonly mailFromAddress: string;
  readonly mailParams: MailParams;
  readonly rcptTo: Recipient[] = [];
  transfer: "DATA" | "BDAT" | undefined = undefined;

  constructor(from: ReversePath, params: MailParams) {
    this.mailFrom = from;
    this.mailFromAddress = from === null ? "" : mailboxText(from.localPart, from.domain);
    this.mailParams = params;
  }

  get smtputf8(): boolean {
    return this.mailParams.smtputf8 === true;
  }

  addRecipient(path: ForwardPath, params: RcptParams): void {
    const address = "postmaster" in path ? "Postmaster" : mailboxText(path.localPart, path.domain);
    this.rcptTo.push({ path, params, address });
  }
}

/** `local@domain`, the local part quoted when it is not a Dot-string (RFC 5321 §4.1.2). */
function mailboxText(local: string, domain: string): string {
  return DOT_STRING.test(local) ? `${local}@${domain}` : `"${local.replace(/(["\\])/g, "\\$1")}"@${domain}`;
}

// atext of RFC 5322 §3.2.3, plus any non-ASCII (RFC 6531 UTF8-non-ascii).
const DOT_STRING = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+)*$/u;
