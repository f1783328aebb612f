/**
 * The public shapes of @smtpkit/smtp-server-core: options, hooks, the session hooks see, and the
 * logger. Everything here is a plain type; the behaviour lives in server.ts and session.ts.
 */
import type { Readable } from "node:stream";
import type { CommandCompat, ForwardPath, MailParams, RcptParams, Reply, ReversePath } from "@smtpkit/smtp-codec";
import type { AuthIdentity, ServerVerifiers } from "@smtpkit/smtp-sasl";

/** smtp-sasl's verifier interface (`verifyPassword`, `lookupPassword`, `lookupScramCredentials`, `verifyToken`, `verifyExternal`, `authorize`). */
export type AuthVerifiers = ServerVerifiers;
export type { AuthIdentity };

/** Any object with `info`/`warn`/`error` (pino, console, …). Called as `(object, message)`. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

/** One listening socket. */
export interface ListenOptions {
  /** Address to bind, default "127.0.0.1". */
  readonly host?: string;
  /** Port, 0 for any free one. */
  readonly port: number;
  /** "implicit": TLS from the first byte (port 465 style, RFC 8314). Default: plain, STARTTLS offered when `tls` is set. */
  readonly tls?: "implicit";
  /** listen(2) backlog. */
  readonly backlog?: number;
}

/** A certificate and its key, PEM. */
export interface KeyCert {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

/** TLS for STARTTLS and implicit-TLS listeners. */
export interface TlsOptions extends KeyCert {
  /** CA certificates for verifying client certificates (PEM). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Ask the client for a certificate. It is never required: an unverified one is reported, not refused. */
  readonly requestCert?: boolean;
  /** SNI: server name (exact, or "*.example.com") → certificate. Unknown names get `key`/`cert`. */
  readonly sni?: Readonly<Record<string, KeyCert>>;
  /** Full control over SNI; takes precedence over `sni`. */
  readonly SNICallback?: (servername: string, cb: (err: Error | null, ctx?: import("node:tls").SecureContext) => void) => void;
  /** Lowest protocol version, default "TLSv1.2". */
  readonly minVersion?: import("node:tls").SecureVersion;
  /** OpenSSL cipher list; Node's default when absent. */
  readonly ciphers?: string;
}

/** What a hook can see of the TLS layer. */
export interface TlsInfo {
  /** "TLSv1.3", … */
  readonly protocol: string;
  /** OpenSSL cipher name. */
  readonly cipher: string;
  /** SNI name the client asked for, if any. */
  readonly servername?: string;
  /** How TLS started: STARTTLS or an implicit-TLS listener. */
  readonly via: "starttls" | "implicit";
  /** The client's certificate, when one was requested and sent. */
  readonly clientCertificate?: {
    readonly subject: string;
    readonly issuer: string;
    readonly fingerprint256: string;
    /** Verified against `tls.ca`. */
    readonly authorized: boolean;
    readonly authorizationError?: string;
  };
}

/** The limits, each with a safe default (see README). Times in milliseconds. */
export interface Limits {
  /** Longest command line, CRLF included (RFC 5321 §4.5.3.1.4). Default 512; longer lines get 500 5.5.6. */
  readonly maxLineLength?: number;
  /** SIZE: largest message in octets, checked at MAIL and while reading. Default 25 MiB. 0 = no limit (not advised). */
  readonly maxMessageSize?: number;
  /** Recipients per transaction; more get 452 4.5.3. Default 100 (RFC 5321 §4.5.3.1.8). */
  readonly maxRecipients?: number;
  /** Unknown, malformed or out-of-sequence commands per connection before 421. Default 10. */
  readonly maxBadCommands?: number;
  /** Failed AUTH attempts per connection before 421. Default 3. */
  readonly maxAuthFailures?: number;
  /** Delay before each 535. Default 1000. */
  readonly authFailureDelay?: number;
  /** Connections open at once across the server; more get 421 4.7.0. Default 1000. */
  readonly maxConnections?: number;
  /** Connections open at once from one client address; more get 421 4.7.0. Default 50 (as Postfix). */
  readonly maxConnectionsPerAddress?: number;
  /** Time waiting for a new command without any byte. Default 300000 (RFC 5321 §4.5.3.2.7). */
  readonly idleTimeout?: number;
  /** Time from the first byte of a command line to its CRLF (slowloris). Default 60000. */
  readonly commandTimeout?: number;
  /** Time without any byte while reading DATA/BDAT content. Default 180000 (RFC 5321 §4.5.3.2.6). */
  readonly dataTimeout?: number;
  /** Minimum average rate while reading message content, octets/s, judged after `dataTimeout`/6 has passed. Default 1024. 0 = off. */
  readonly minDataRate?: number;
  /** Time for a hook (other than onData) to settle before the session gets 451 4.3.0. Default 60000. */
  readonly hookTimeout?: number;
  /** Wait before the greeting, to catch clients that talk first (pregreet test). Default 0: no delay. */
  readonly greetingDelay?: number;
  /** Time allowed for the PROXY protocol header and for the TLS handshake. Default 10000. */
  readonly handshakeTimeout?: number;
  /** Transactions per connection; after that MAIL gets 421 4.7.0 and the session closes. Default 0 = unlimited. */
  readonly maxTransactions?: number;
}

/** Extensions that can be switched off (all on by default, where the server can support them). */
export interface Extensions {
  readonly pipelining?: boolean;
  readonly size?: boolean;
  readonly eightBitMime?: boolean;
  readonly smtputf8?: boolean;
  readonly enhancedStatusCodes?: boolean;
  readonly dsn?: boolean;
  /** CHUNKING and BINARYMIME (RFC 3030). */
  readonly chunking?: boolean;
  /** STARTTLS; only offered when `tls` is configured. */
  readonly starttls?: boolean;
  /** REQUIRETLS (RFC 8689); only offered on encrypted sessions. */
  readonly requireTls?: boolean;
}

export interface AuthOptions {
  /** Mechanisms to offer, in this order; default every mechanism smtp-sasl can serve with the verifiers. */
  readonly mechanisms?: readonly string[];
  /** Allow plaintext mechanisms (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) without TLS. Default false: 538 5.7.11. */
  readonly allowInsecure?: boolean;
  /** MAIL requires an authenticated session (submission); otherwise 530 5.7.0. Default false. */
  readonly required?: boolean;
}

export interface ServerOptions {
  /** The name in the greeting and EHLO reply. Default `os.hostname()`. */
  readonly hostname?: string;
  /** Sockets for `listen()`. Default `[{ host: "127.0.0.1", port: 2525 }]`. */
  readonly listen?: readonly ListenOptions[];
  /** Certificates: STARTTLS is offered when set, and implicit listeners need it. */
  readonly tls?: TlsOptions;
  /** Speak LMTP (RFC 2033): LHLO instead of HELO/EHLO, one reply per recipient after the data. */
  readonly lmtp?: boolean;
  readonly auth?: AuthOptions;
  readonly limits?: Limits;
  readonly extensions?: Extensions;
  /**
   * A message body with a bare CR or bare LF: "reject" (default) reads it to its real end and
   * answers 550 5.5.2; "normalize" turns each into CRLF and accepts it.
   */
  readonly bareLineEndings?: "reject" | "normalize";
  /**
   * Bytes before the greeting, or DATA content before the 354 (RFC 2920 §3.1 synchronisation):
   * "reject" (default) answers 554 5.5.0 and closes; "ignore" carries on.
   */
  readonly earlyTalkers?: "reject" | "ignore";
  /** Accept the PROXY protocol v1/v2 header (HAProxy), only from these addresses (CIDR or address). */
  readonly proxyProtocol?: { readonly trustedFrom: readonly string[] };
  /** Lenient command parsing for broken clients (smtp-codec's switches). Default strict. */
  readonly compat?: CommandCompat;
  /** Logger; silent by default. Secrets are never logged. */
  readonly logger?: Logger;
}

/** A recipient accepted into the transaction. */
export interface Recipient {
  readonly path: ForwardPath;
  readonly params: RcptParams;
  /** The mailbox as text, `local@domain` ("Postmaster" for `<Postmaster>`). */
  readonly address: string;
}

/** The transaction so far: MAIL FROM and the accepted recipients. */
export interface Envelope {
  readonly mailFrom: ReversePath;
  /** The reverse-path as text, "" for `<>`. */
  readonly mailFromAddress: string;
  /** Typed MAIL parameters: `size`, `body`, `smtputf8`, `ret`, `envid`, `requireTls`, … */
  readonly mailParams: MailParams;
  readonly rcptTo: readonly Recipient[];
  /** How the content came: DATA or BDAT (set once content starts). */
  readonly transfer: "DATA" | "BDAT" | undefined;
}

/** What hooks see of a connection. Read-only for hooks except `locals`. */
export interface Session {
  /** Unique per process, e.g. "k3f9a2-1". */
  readonly id: string;
  /** The client, as told by a trusted PROXY header when there is one. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The peer that actually connected, when a PROXY header replaced it. */
  readonly proxy: { readonly address: string; readonly port: number } | undefined;
  /** TLS details once the session is encrypted. */
  readonly tls: TlsInfo | undefined;
  readonly secure: boolean;
  /** HELO/EHLO/LHLO name, cleared by STARTTLS. */
  readonly helo: { readonly verb: "HELO" | "EHLO" | "LHLO"; readonly domain: string } | undefined;
  /** The authenticated identity, cleared by STARTTLS. */
  readonly auth: AuthIdentity | undefined;
  /** The transaction in progress, if any. */
  readonly envelope: Envelope | undefined;
  /** Transactions completed (message accepted or refused after data) on this connection. */
  readonly transactions: number;
  readonly lmtp: boolean;
  /** Free room for the application's per-session values. */
  readonly locals: Record<string, unknown>;
}

/** What onData may resolve with. `void` means 250 2.0.0 for SMTP and for every LMTP recipient. */
export interface DataOutcome {
  /** SMTP: the reply to send (e.g. with a queue id). */
  readonly reply?: Reply;
  /** LMTP: one entry per `envelope.rcptTo`, in order; `undefined` means 250 2.1.5. */
  readonly recipients?: readonly (Reply | undefined)[];
}

/** Hooks are all optional and may be async. Reject with `SmtpReplyError` to answer with its reply. */
export interface Hooks {
  /** A client connected (after any PROXY header). Reject to refuse it: its reply is sent and the connection closed. */
  onConnect?(session: Session): void | Promise<void>;
  /** HELO/EHLO/LHLO with `domain`. */
  onHelo?(domain: string, session: Session): void | Promise<void>;
  /** Credentials verification for AUTH, through smtp-sasl. AUTH is offered only when this is set. */
  onAuth?: AuthVerifiers;
  /** Called after a successful AUTH, before 235; reject to refuse the identity. */
  onAuthenticated?(identity: AuthIdentity, session: Session): void | Promise<void>;
  onMailFrom?(from: ReversePath, params: MailParams, session: Session): void | Promise<void>;
  /**
   * The recipient policy. Without it, recipients are accepted only in authenticated sessions (never an
   * open relay). Resolve to accept.
   */
  onRcptTo?(to: ForwardPath, params: RcptParams, session: Session): void | Promise<void>;
  /**
   * The message content as a stream with backpressure (bytes exactly as received, dot-unstuffed).
   * The 250 is sent only after the returned promise resolves: resolve once the message is safely
   * stored. A rejection gives 451 4.3.0 (or the SmtpReplyError's reply) and nothing is acknowledged.
   */
  onData?(message: Readable, session: Session): void | DataOutcome | Promise<void | DataOutcome>;
  /** The transaction was abandoned (RSET, a new EHLO, STARTTLS, or the connection closing mid-transaction). */
  onReset?(session: Session): void | Promise<void>;
  /** VRFY; resolve with the reply. Default 252 2.5.0. */
  onVrfy?(argument: string, session: Session): Reply | Promise<Reply>;
  /** EXPN; resolve with the reply. Default 502 5.5.1. */
  onExpn?(argument: string, session: Session): Reply | Promise<Reply>;
  /** The connection is gone (always called once per session that reached onConnect). */
  onClose?(session: Session): void | Promise<void>;
}

/** Where a session came from when it is driven by `server.handle()`. */
export interface HandleOptions {
  /** Run TLS from the first byte (after a PROXY header, if any). */
  readonly tls?: "implicit";
  /** Override addresses, e.g. for a stream that is not a net.Socket. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
}

export interface CloseOptions {
  /** Milliseconds to let transactions in flight finish before every connection is cut. Default 30000. */
  readonly deadline?: number;
}

export interface SmtpServer {
  /** Open every `options.listen` socket; resolves with their addresses in order. */
  listen(): Promise<import("node:net").AddressInfo[]>;
  /** The bound addresses (empty before `listen()`). */
  addresses(): import("node:net").AddressInfo[];
  /**
   * Graceful shutdown: stop accepting, answer idle sessions 421 4.3.2 and close them, let
   * transactions in flight finish up to the deadline, then cut what is left. Resolves when every
   * session is gone.
   */
  close(options?: CloseOptions): Promise<void>;
  /** Run one session over an already connected stream (a node:cluster worker's socket, a test pair, …). */
  handle(socket: import("node:stream").Duplex, options?: HandleOptions): void;
  /** Replace the certificates without a restart; new handshakes use them. */
  reloadTls(tls: TlsOptions): void;
  /** Sessions open now. */
  readonly connections: number;
}
