/** Addresses and names from the caller, checked before a single byte is written. */
import { isAddressLiteral, isDomain, type Mailbox, parseMailbox, SmtpSyntaxError } from "@smtpkit/smtp-codec";
import { SmtpClientError } from "./errors.js";

/** C0 controls and DEL: CR, LF and NUL are the dangerous ones, the rest have no place on a command line. */
export function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** `Mailbox` (RFC 5321 §4.1.2) from a bare address `local@domain`; UTF-8 allowed (SMTPUTF8 decided later). */
export function toMailbox(address: string, what: string): Mailbox {
  if (hasControl(address)) throw invalid(`${what} contains a control character`);
  try {
    return parseMailbox(address, { smtputf8: true });
  } catch (e) {
    throw invalid(`${what} is not a valid address: ${SmtpSyntaxError.isInstance(e) ? e.message : String(e)}`, e);
  }
}

/** The EHLO/HELO/LHLO argument: a Domain or address literal, no control characters. */
export function checkHeloName(name: string): void {
  if (hasControl(name) || !(isDomain(name) || isAddressLiteral(name))) {
    throw invalid("EHLO name is not a domain or address literal");
  }
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function invalid(message: string, cause?: unknown): SmtpClientError {
  return new SmtpClientError("invalid-input", "input", message, { temporary: false, cause });
}
