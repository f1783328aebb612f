/** The public shapes of smtp-client: options, inputs and results. */
import type { Duplex, Readable } from "node:stream";
import type { Capabilities, Notify, Reply } from "@smtpkit/smtp-codec";
import type { ResolvePlanOptions } from "@smtpkit/smtp-dns-mx";
import type { Secret } from "@smtpkit/smtp-sasl";

export type { Capabilities, Reply } from "@smtpkit/smtp-codec";

/**
 * How TLS is used (RFC 3207, RFC 8314):
 * - `none`: never STARTTLS (cleartext).
 * - `opportunistic`: STARTTLS when offered; a 454 or a failed handshake is an error, never a fallback.
 * - `required`: STARTTLS or nothing: fail closed before AUTH or MAIL.
 * - `implicit`: TLS from the first byte (port 465).
 */
export type TlsMode = "none" | "opportunistic" | "required" | "implicit";

/** Certificate checks for TLS. Validation is on by default, with SNI from `servername` or `host`. */
export interface TlsOptions {
  /** Trusted CA certificates (PEM) instead of Node's default roots. */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client certificate chain (PEM). */
  readonly cert?: string | Uint8Array;
  /** Client private key (PEM). */
  readonly key?: string | Uint8Array | Secret;
  /** Name to verify and send as SNI; default the host name connected to (none for an IP address). */
  readonly servername?: string;
  /** Skip certificate validation. For tests only; never the default. */
  readonly insecure?: boolean;
  /** Lowest protocol version; default "TLSv1.2". */
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
}

/** An OAuth 2.0 access token source; `refresh` is true after the server rejected the last token. */
export type TokenProvider = (context: { readonly refresh: boolean }) => Promise<string | Secret>;

/** SMTP AUTH (RFC 4954) through @smtpkit/smtp-sasl. */
export interface AuthOptions {
  readonly username?: string;
  readonly password?: string | Secret;
  /** A static OAuth 2.0 token, or a provider called for each attempt (XOAUTH2 / OAUTHBEARER). */
  readonly token?: string | Secret | TokenProvider;
  /** Authorization identity (act as another user). */
  readonly authzid?: string;
  /** Force one mechanism; default the strongest the server offers (SCRAM-SHA-256 first). */
  readonly mechanism?: string;
  /** Allow PLAIN, LOGIN, XOAUTH2, OAUTHBEARER over a cleartext connection. Default false. */
  readonly allowPlaintext?: boolean;
  /** Most 334 challenges answered in one AUTH exchange before giving up. Default 10. */
  readonly maxChallenges?: number;
}

/**
 * Milliseconds per phase. Defaults are RFC 5321 §4.5.3.2: greeting 5 min, MAIL 5 min, RCPT 5 min,
 * DATA initiation 2 min, data block 3 min, final dot 10 min; connect, EHLO/TLS/AUTH and QUIT 5 min.
 */
export interface Timeouts {
  readonly connect: number;
  readonly greeting: number;
  /** EHLO/HELO/LHLO, STARTTLS handshake, AUTH steps, RSET. */
  readonly command: number;
  readonly mail: number;
  readonly rcpt: number;
  readonly dataInit: number;
  readonly dataBlock: number;
  readonly dataEnd: number;
  readonly quit: number;
}

/** Something that gives back a connected socket (TCP, TLS, SOCKS, HTTP CONNECT, in-memory …). */
export type SocketFactory = (target: {
  readonly host: string;
  readonly port: number;
  readonly signal: AbortSignal;
}) => Duplex | Promise<Duplex>;

/** A logger (pino-compatible subset). Secrets are never passed to it. */
export interface Logger {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ConnectOptions {
  /** Host name or IP; default "localhost". */
  readonly host?: string;
  /** Default 25 (465 with `tls: "implicit"`, 24 is not assumed for LMTP). */
  readonly port?: number;
  /** Default "opportunistic". */
  readonly tls?: TlsMode;
  readonly tlsOptions?: TlsOptions;
  /** Our name in EHLO/HELO/LHLO; default "localhost". */
  readonly name?: string;
  readonly auth?: AuthOptions;
  readonly timeouts?: Partial<Timeouts>;
  /** Use this socket factory instead of node:net. TLS (implicit or STARTTLS) is layered on top. */
  readonly socket?: SocketFactory;
  /** Speak LMTP (RFC 2033): LHLO, one reply per accepted recipient after the data. */
  readonly lmtp?: boolean;
  /** Local address to bind (node:net only). */
  readonly localAddress?: string;
  /** Cancels connecting and every later command. */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Longest accepted reply line in octets; default 512 (RFC 5321 §4.5.3.1.5). */
  readonly maxReplyLineLength?: number;
}

/** The message: whole, or streamed (never fully buffered). */
export type MessageInput =
  | string
  | Uint8Array
  | Readable
  | AsyncIterable<Uint8Array | string>;

/** DSN parameters (RFC 3461). */
export interface DsnOptions {
  readonly ret?: "FULL" | "HDRS";
  /** Envelope id; xtext-encoded on the wire. */
  readonly envid?: string;
  /** NOTIFY for every recipient. */
  readonly notify?: Notify;
  /** Send ORCPT=rfc822;<address> (utf-8 when the address needs it) for every recipient. */
  readonly orcpt?: boolean;
}

/** Extra MAIL FROM parameters. BODY and SMTPUTF8 are chosen automatically unless given here. */
export interface SendParams {
  /** Force BODY=; default: 8BITMIME when the message has 8-bit octets (known only for whole messages). */
  readonly body?: "7BIT" | "8BITMIME" | "BINARYMIME";
  /** Force SMTPUTF8; default on when an address is not ASCII. */
  readonly smtputf8?: boolean;
  /** REQUIRETLS (RFC 8689): refuse to send over cleartext or to a server without it. */
  readonly requireTls?: boolean;
  /** MT-PRIORITY (RFC 6710), -9..9; sent only when the server offers it. */
  readonly mtPriority?: number;
}

export interface SendInput {
  /** Reverse-path; "" or null for the null path `<>`. */
  readonly from: string | null;
  /** Recipients as `local@domain`; "Postmaster" alone is `<Postmaster>` (RFC 5321 §4.1.1.3). */
  readonly to: string | readonly string[];
  readonly message: MessageInput;
  readonly params?: SendParams;
  readonly dsn?: DsnOptions;
  /** Size in octets when known (SIZE= and the pre-check); taken from the message when it is whole. */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

/** One recipient's outcome. `address` is exactly as given to `send()`. */
export interface RecipientResult {
  readonly address: string;
  readonly accepted: boolean;
  /** The RCPT reply, or for LMTP the per-recipient reply after the data when RCPT was accepted. */
  readonly reply: Reply;
}

export interface SendResult {
  /** One entry per distinct recipient, in the order given. */
  readonly recipients: readonly RecipientResult[];
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  /** The final reply to DATA's dot or the last BDAT (absent when every recipient was rejected). */
  readonly data?: Reply;
  /** A queue or message id taken from the final 250, when the server gave one. */
  readonly messageId?: string;
  /** The host (as connected to) that took the message. */
  readonly host: string;
}

/** deliver(): one entry per distinct recipient. */
export interface DeliveryRecipient {
  readonly address: string;
  readonly accepted: boolean;
  /** For rejected ones: true means retry later, false means bounce. */
  readonly temporary: boolean;
  readonly reply?: Reply;
  /** The MX host that gave the answer. */
  readonly host?: string;
  /** The error that decided a failure, when it was not a recipient reply. */
  readonly error?: Error;
}

export interface DeliveryReport {
  readonly recipients: readonly DeliveryRecipient[];
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
}

export interface DeliverOptions
  extends Omit<ConnectOptions, "host" | "port" | "tls" | "lmtp" | "auth"> {
  readonly from: string | null;
  readonly to: string | readonly string[];
  readonly params?: SendParams;
  readonly dsn?: DsnOptions;
  /** Port on each MX; default 25. */
  readonly port?: number;
  /**
   * Default "opportunistic" (MTA-STS enforce turns it into "required" with validation). Without a
   * policy the MX certificate is not validated unless `tlsOptions.insecure` is `false` (RFC 7435).
   */
  readonly tls?: Exclude<TlsMode, "implicit">;
  /** Options for resolvePlan (resolver, allowAddresses, mtaSts …). */
  readonly resolve?: ResolvePlanOptions;
  /** Size of the message when it is streamed, for SIZE. */
  readonly size?: number;
}

export interface PoolOptions extends ConnectOptions {
  /** Most open connections; default 5. */
  readonly maxConnections?: number;
  /** Messages sent over one connection before it is replaced; default 100. */
  readonly maxMessages?: number;
  /** Close a connection idle this long (ms); default 30000. */
  readonly idleTimeout?: number;
  /** Most messages started per `rateWindow` across the whole pool; default unlimited. */
  readonly rateLimit?: number;
  /** Window of the rate limit in ms; default 1000. */
  readonly rateWindow?: number;
  /**
   * The rate limit's clock in ms; default `Date.now`. A waiting send sleeps for what this clock says
   * is left of the window, then asks it again, so a test can move time without timing thresholds.
   */
  readonly now?: () => number;
}

/** One SMTP session. */
export interface Connection {
  /** From the last EHLO (after TLS when TLS is on); all false for HELO. */
  readonly capabilities: Capabilities;
  /** True when the session runs over TLS. */
  readonly secure: boolean;
  /** The mechanism used for AUTH, when it authenticated. */
  readonly authenticated: string | undefined;
  readonly host: string;
  send(input: SendInput): Promise<SendResult>;
  /** RSET: abort a transaction (done automatically between messages). */
  reset(): Promise<void>;
  /** QUIT and close. */
  quit(): Promise<void>;
  /** Close at once without QUIT. */
  close(): void;
  readonly closed: boolean;
}

export interface Pool {
  send(input: SendInput): Promise<SendResult>;
  /** QUIT every connection and wait for them. */
  close(): Promise<void>;
}
