/**
 * The trace header fields a delivering server prepends to a message (RFC 5321 §4.4): `Return-Path:`
 * with the envelope sender, and a `Received:` stamp
 *
 *   Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
 *
 * Pure: everything, the date included, comes in as values.
 */
import { formatForwardPath, formatReversePath, type ForwardPath, type ReversePath } from "@smtpkit/smtp-codec";

/** How the message came in, for the `with` clause. */
export interface TransferMode {
  /** LHLO (RFC 2033) rather than EHLO/HELO. */
  readonly lmtp: boolean;
  /** The client said EHLO or LHLO, not HELO. */
  readonly extended: boolean;
  /** The session was encrypted (STARTTLS or an implicit-TLS listener). */
  readonly tls: boolean;
  /** The client authenticated (RFC 4954). */
  readonly authenticated: boolean;
  /** MAIL FROM carried SMTPUTF8 (RFC 6531). */
  readonly smtputf8: boolean;
}

/**
 * `Protocol` of the `with` clause, from the IANA Mail Transmission Types registry: SMTP and ESMTP
 * (RFC 5321), the `S`/`A`/`SA` suffixes and LMTP (RFC 3848), and the `UTF8` forms (RFC 6531 §3.7.3).
 * HELO has no extensions, so it is plain `SMTP` (neither TLS nor AUTH is possible after HELO alone).
 */
export function transferProtocol(mode: TransferMode): string {
  if (!mode.lmtp && !mode.extended) return "SMTP";
  const base = mode.lmtp ? "LMTP" : mode.smtputf8 ? "SMTP" : "ESMTP";
  const suffix = (mode.tls ? "S" : "") + (mode.authenticated ? "A" : "");
  return `${mode.smtputf8 ? "UTF8" : ""}${base}${suffix}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

const two = (n: number): string => String(n).padStart(2, "0");

/**
 * `date-time = [ day-of-week "," ] date time [CFWS]` (RFC 5322 §3.3), in the local time zone with
 * its numeric offset, e.g. `Sun, 29 Nov 2026 17:25:03 +0000`.
 */
export function formatDateTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return (
    `${DAYS[date.getDay()]}, ${two(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ` +
    `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

/**
 * `address-literal` for a peer's IP (RFC 5321 §4.1.3): `[192.0.2.1]`, `[IPv6:2001:db8::1]`.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports) is shown as IPv4.
 */
export function addressLiteral(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `[${mapped[1]}]`;
  return ip.includes(":") ? `[IPv6:${ip}]` : `[${ip}]`;
}

/**
 * A value from the client (its HELO argument) or the system made safe inside a header field:
 * no control character, white space or parenthesis can end the clause or inject a header line.
 */
function headerToken(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const cleaned = text.replace(/[\u0000-\u0020\u007f()\\;]/g, "?");
  return cleaned.length > 0 ? cleaned : "unknown";
}

export interface TraceInfo {
  readonly sender: ReversePath;
  /** The one recipient this copy is for (RFC 5321 §4.4: a FOR clause names exactly one path). */
  readonly recipient: ForwardPath;
  /** The client's EHLO/HELO/LHLO argument, if it gave one. */
  readonly helo: string | undefined;
  /** The client's IP address (after PROXY protocol, the original client's). */
  readonly remoteAddress: string;
  /** Our name for the `by` clause (`--hostname`). */
  readonly hostname: string;
  readonly mode: TransferMode;
  /** TLS protocol and cipher, shown as a comment when the session was encrypted. */
  readonly tls?: { readonly protocol: string; readonly cipher: string } | undefined;
  /** The message's id on this server, an Atom (RFC 5321 §4.4 `ID`). */
  readonly id: string;
  readonly date: Date;
}

/**
 * `Return-Path:` and `Received:` with CRLF line ends, folded one clause a line:
 *
 *   Return-Path: <joe@example.test>
 *   Received: from client.example.test ([127.0.0.1])
 *   	by mx.example.test with ESMTPS (TLSv1.3 TLS_AES_256_GCM_SHA384)
 *   	id 3f9c0a1b2d4e
 *   	for <ann@example.test>; Sun, 29 Nov 2026 17:25:03 +0000
 *
 * No reverse DNS: the TCP-info is the address literal alone (`Extended-Domain = Domain FWS "(" TCP-info ")"`).
 */
export function formatTraceHeaders(info: TraceInfo): string {
  const from = `from ${headerToken(info.helo ?? "unknown")} (${addressLiteral(info.remoteAddress)})`;
  const tls = info.mode.tls && info.tls !== undefined ? ` (${headerToken(info.tls.protocol)} ${headerToken(info.tls.cipher)})` : "";
  const by = `by ${headerToken(info.hostname)} with ${transferProtocol(info.mode)}${tls}`;
  return (
    `Return-Path: ${formatReversePath(info.sender)}\r\n` +
    `Received: ${from}\r\n` +
    `\t${by}\r\n` +
    `\tid ${info.id}\r\n` +
    `\tfor ${formatForwardPath(info.recipient)}; ${formatDateTime(info.date)}\r\n`
  );
}
