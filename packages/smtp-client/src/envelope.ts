/** From SendInput to the MAIL and RCPT lines, with every check done before anything is written. */
import {
  type Capabilities,
  type ForwardPath,
  formatCommand,
  type MailParams,
  type RcptParams,
  SmtpSyntaxError,
} from "@smtpkit/smtp-codec";
import { hasControl, invalid, isAscii, toMailbox } from "./addresses.js";
import { SmtpClientError } from "./errors.js";
import { hasEightBit, hasNul, wholeMessage } from "./message-source.js";
import type { SendInput } from "./types.js";

export interface Envelope {
  readonly mail: string;
  /** One per distinct recipient: the address as given and its RCPT line. */
  readonly rcpts: readonly { readonly address: string; readonly line: string }[];
  readonly whole: Uint8Array | undefined;
  readonly bdat: boolean;
  /** BODY=BINARYMIME: the content goes as it is; any other body is sent in canonical CRLF form. */
  readonly binary: boolean;
  /** A streamed body to a server without 8BITMIME: an 8-bit octet ends the session before the end of data. */
  readonly sevenBitOnly: boolean;
}

/** `Postmaster`, any case, with no domain: the RCPT-only `<Postmaster>` of RFC 5321 §4.1.1.3. */
const isPostmaster = (address: string): boolean => address.toLowerCase() === "postmaster";

function missing(what: string, message: string): SmtpClientError {
  return new SmtpClientError("extension-missing", "mail", `${message} (the server does not offer ${what})`, {
    temporary: false,
  });
}

/** Build the envelope for `input` on a server with `caps`; throws before any byte is written. */
export function buildEnvelope(input: SendInput, caps: Capabilities, secure: boolean): Envelope {
  const from = input.from === null || input.from === "" ? null : toMailbox(input.from, "sender");
  const list = typeof input.to === "string" ? [input.to] : input.to;
  if (list.length === 0) throw invalid("no recipients");
  const seen = new Set<string>();
  const rcptBoxes: { address: string; box: ForwardPath }[] = [];
  for (const address of list) {
    // "Postmaster" without a domain is a recipient every server must take (RFC 5321 §4.1.1.3).
    const box: ForwardPath = isPostmaster(address) ? { postmaster: true } : toMailbox(address, "recipient");
    // The domain is case-insensitive (RFC 5321 §2.4); the local part is not ours to fold.
    const key = "postmaster" in box ? "<postmaster>" : `${box.localPart}@${box.domain.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rcptBoxes.push({ address, box });
  }
  const p = input.params ?? {};
  const dsn = input.dsn;
  for (const v of [dsn?.envid]) if (v !== undefined && hasControl(v)) throw invalid("ENVID contains a control character");

  const utf8Needed =
    (input.from !== null && !isAscii(input.from)) || rcptBoxes.some((r) => !isAscii(r.address));
  const smtputf8 = p.smtputf8 ?? utf8Needed;
  if (utf8Needed && !smtputf8) throw invalid("non-ASCII addresses need SMTPUTF8");
  if (smtputf8 && !caps.smtputf8) throw missing("SMTPUTF8", "the addresses need SMTPUTF8 (RFC 6531)");

  const whole = wholeMessage(input.message);
  let body = p.body;
  if (body === undefined && whole !== undefined) {
    if (hasNul(whole)) body = "BINARYMIME";
    else if (hasEightBit(whole)) body = "8BITMIME";
  }
  // A stream cannot be looked at before MAIL. Where the server offers 8BITMIME, declare it (7-bit
  // content is valid 8BITMIME content); where it does not, the content is checked as it is sent and
  // the transaction is abandoned before the end of data at the first 8-bit octet (never a silent send).
  let sevenBitOnly = false;
  if (body === undefined && whole === undefined) {
    if (caps.eightBitMime) body = "8BITMIME";
    else sevenBitOnly = true;
  }
  if (body === "BINARYMIME" && !(caps.binaryMime && caps.chunking)) {
    throw missing("BINARYMIME and CHUNKING", "the message is binary (RFC 3030)");
  }
  if (body === "8BITMIME" && !caps.eightBitMime) throw missing("8BITMIME", "the message has 8-bit octets (RFC 6152)");

  const size = input.size ?? whole?.length;
  if (size !== undefined && caps.size !== undefined && caps.size > 0 && size > caps.size) {
    throw new SmtpClientError("size-exceeded", "mail", `message of ${size} octets exceeds the server's SIZE ${caps.size}`, {
      temporary: false,
    });
  }
  if (p.requireTls === true) {
    // RFC 8689 §4.1: never over cleartext, only to a server that offers REQUIRETLS.
    if (!secure) {
      throw new SmtpClientError("tls-unavailable", "mail", "REQUIRETLS message over a cleartext connection", {
        temporary: true,
      });
    }
    if (!caps.requireTls) throw missing("REQUIRETLS", "the message requires TLS all the way (RFC 8689)");
  }
  if (dsn !== undefined && !caps.dsn) throw missing("DSN", "DSN parameters were asked for (RFC 3461)");

  const mailParams: MailParams = {
    ...(size !== undefined && caps.size !== undefined ? { size } : {}),
    ...(body !== undefined && body !== "7BIT" ? { body } : {}),
    ...(smtputf8 ? { smtputf8: true as const } : {}),
    ...(dsn?.ret === undefined ? {} : { ret: dsn.ret }),
    ...(dsn?.envid === undefined ? {} : { envid: dsn.envid }),
    ...(p.requireTls === true ? { requireTls: true as const } : {}),
    ...(p.mtPriority !== undefined && caps.mtPriority !== undefined ? { mtPriority: p.mtPriority } : {}),
  };
  try {
    const mail = formatCommand({ verb: "MAIL", from, params: mailParams });
    const rcpts = rcptBoxes.map(({ address, box }) => {
      const params: RcptParams = {
        ...(dsn?.notify === undefined ? {} : { notify: dsn.notify }),
        // ORCPT's rfc822 type is an addr-spec (RFC 3461 §4.2): a bare Postmaster has none to give.
        ...(dsn?.orcpt === true && !("postmaster" in box)
          ? { orcpt: { addrType: isAscii(address) ? "rfc822" : "utf-8", address } }
          : {}),
      };
      return { address, line: formatCommand({ verb: "RCPT", to: box, params }) };
    });
    return { mail, rcpts, whole, bdat: caps.chunking, binary: body === "BINARYMIME", sevenBitOnly };
  } catch (e) {
    throw invalid(`cannot put the envelope on the wire: ${SmtpSyntaxError.isInstance(e) ? e.message : String(e)}`, e);
  }
}
