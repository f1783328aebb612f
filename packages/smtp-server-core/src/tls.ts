/**
 * TLS for STARTTLS (RFC 3207) and implicit-TLS listeners (RFC 8314): secure contexts with SNI
 * selection, reload without restart, and what hooks and SASL may know about the channel.
 * Both paths wrap an already accepted stream with `TLSSocket`, so a PROXY header can precede an
 * implicit-TLS handshake and `server.handle()` works on any duplex.
 */
import type { Duplex } from "node:stream";
import { type SecureContext, TLSSocket, createSecureContext } from "node:tls";
import { tlsServerEndPoint } from "@smtpkit/smtp-sasl";
import type { KeyCert, TlsInfo, TlsOptions } from "./types.js";

type SniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;

export class TlsConfig {
  #options!: TlsOptions;
  #default!: SecureContext;
  #exact = new Map<string, SecureContext>();
  #wildcard = new Map<string, SecureContext>();

  constructor(options: TlsOptions) {
    this.reload(options);
  }

  get requestCert(): boolean {
    return this.#options.requestCert === true;
  }

  /** Build every context first, then swap: a bad certificate throws and leaves the old ones in use. */
  reload(options: TlsOptions): void {
    const make = (kc: KeyCert): SecureContext => {
      const opts: Parameters<typeof createSecureContext>[0] = {
        key: kc.key,
        cert: kc.cert,
        minVersion: options.minVersion ?? "TLSv1.2",
      };
      if (options.ca !== undefined) opts.ca = options.ca as string | Buffer | (string | Buffer)[];
      if (options.ciphers !== undefined) opts.ciphers = options.ciphers;
      return createSecureContext(opts);
    };
    const def = make(options);
    const exact = new Map<string, SecureContext>();
    const wildcard = new Map<string, SecureContext>();
    for (const [name, kc] of Object.entries(options.sni ?? {})) {
      const lower = name.toLowerCase();
      if (lower.startsWith("*.")) wildcard.set(lower.slice(2), make(kc));
      else exact.set(lower, make(kc));
    }
    this.#options = options;
    this.#default = def;
    this.#exact = exact;
    this.#wildcard = wildcard;
  }

  /** The context for an SNI name: exact match, then "*.parent", then the default certificate. */
  contextFor(servername: string | undefined): SecureContext {
    if (servername === undefined || servername === "") return this.#default;
    const name = servername.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    if (dot !== -1) {
      const wild = this.#wildcard.get(name.slice(dot + 1));
      if (wild !== undefined) return wild;
    }
    return this.#default;
  }

  readonly sniCallback: SniCallback = (servername, cb) => {
    const custom = this.#options.SNICallback;
    if (custom !== undefined) {
      custom(servername, cb);
      return;
    }
    cb(null, this.contextFor(servername));
  };

  get defaultContext(): SecureContext {
    return this.#default;
  }
}

/**
 * Start a server-side TLS handshake over `stream`. Resolves once the handshake is done; rejects
 * on a failed handshake or after `timeout` ms (the caller closes the connection).
 */
export function startTls(stream: Duplex, config: TlsConfig, timeout: number): Promise<TLSSocket> {
  const socket = new TLSSocket(stream, {
    isServer: true,
    secureContext: config.defaultContext,
    SNICallback: config.sniCallback,
    requestCert: config.requestCert,
    // A client certificate is reported to hooks (authorized or not), never a reason to fail here.
    rejectUnauthorized: false,
  });
  return new Promise<TLSSocket>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      if (timer !== undefined) clearTimeout(timer);
      socket.off("secure", onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("end", onClose);
      if (err === undefined) resolve(socket);
      else {
        // Keep a listener: a late error on a socket being torn down must not crash the process.
        socket.on("error", noop);
        socket.destroy();
        reject(err);
      }
    };
    const onSecure = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error("connection closed during the TLS handshake"));
    socket.once("secure", onSecure);
    socket.once("error", onError);
    socket.once("close", onClose);
    // The peer's FIN before the handshake completed (listeners run with allowHalfOpen).
    socket.once("end", onClose);
    if (timeout > 0) {
      timer = setTimeout(() => done(new Error("TLS handshake timed out")), timeout);
      timer.unref();
    }
  });
}

function noop(): void {}

/** What hooks see of an established TLS session. */
export function tlsInfo(socket: TLSSocket, via: "starttls" | "implicit"): TlsInfo {
  const cipher = socket.getCipher();
  const servername = (socket as TLSSocket & { servername?: string | false }).servername;
  const info: { -readonly [K in keyof TlsInfo]: TlsInfo[K] } = {
    protocol: socket.getProtocol() ?? "unknown",
    cipher: cipher.name,
    via,
  };
  if (typeof servername === "string" && servername !== "") info.servername = servername;
  const verdict = verifyClient(socket);
  const peer = socket.getPeerCertificate();
  if (peer !== null && peer !== undefined && typeof peer === "object" && "fingerprint256" in peer && peer.fingerprint256) {
    const cert: { -readonly [K in keyof NonNullable<TlsInfo["clientCertificate"]>]: NonNullable<TlsInfo["clientCertificate"]>[K] } = {
      subject: distinguishedName(peer.subject),
      issuer: distinguishedName(peer.issuer),
      fingerprint256: peer.fingerprint256,
      authorized: verdict === null,
    };
    if (verdict !== null) cert.authorizationError = verdict;
    info.clientCertificate = cert;
  }
  return info;
}

/**
 * The chain check OpenSSL did against `tls.ca`: null when the client certificate verified, else the
 * error code. tls.Server reads it into `socket.authorized`; a TLSSocket made for STARTTLS has to ask
 * its handle the same way (Node's own onServerSocketSecure does exactly this).
 */
function verifyClient(socket: TLSSocket): string | null {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle;
  if (typeof handle?.verifyError !== "function") return "UNABLE_TO_VERIFY";
  const err = handle.verifyError();
  return err === null || err === undefined ? null : (err.code ?? err.message);
}

function distinguishedName(dn: object | undefined): string {
  if (dn === undefined) return "";
  return Object.entries(dn as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
    .join(", ");
}

/**
 * Channel-binding data for SCRAM-PLUS: "tls-exporter" (RFC 9266, TLS 1.3) and
 * "tls-server-end-point" (RFC 5929 §4.1: a hash of our certificate, the hash chosen by its signature
 * algorithm — SHA-384 for a certificate signed with ecdsa-with-SHA384 — and none for Ed25519).
 */
export function channelBinding(socket: TLSSocket): { "tls-exporter"?: Uint8Array; "tls-server-end-point"?: Uint8Array } {
  const out: { "tls-exporter"?: Uint8Array; "tls-server-end-point"?: Uint8Array } = {};
  if (socket.getProtocol() === "TLSv1.3") {
    out["tls-exporter"] = socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0));
  }
  const own = socket.getCertificate();
  if (own !== null && typeof own === "object" && "raw" in own && own.raw !== undefined) {
    const endPoint = tlsServerEndPoint(own.raw);
    if (endPoint !== undefined) out["tls-server-end-point"] = endPoint;
  }
  return out;
}
