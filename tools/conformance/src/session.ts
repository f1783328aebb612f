/**
 * One scripted connection to the server under test. Checks send lines or raw bytes (including bytes a
 * correct client never sends) and read whole replies, parsed by smtp-codec but kept raw as well, with a
 * bounded wait for every read.
 */
import { connect as netConnect, type Socket } from "node:net";
import { type ConnectionOptions, checkServerIdentity, rootCertificates, type TLSSocket, connect as tlsConnect } from "node:tls";
import type { Capabilities } from "@smtpkit/smtp-codec";
import { tlsServerEndPoint } from "@smtpkit/smtp-sasl";
import { ProbeError } from "./errors.js";
import { type AssembledItem, ReplyAssembler } from "./reply-assembler.js";
import { type Budget, showWire, type Transcript } from "./transcript.js";
import type { ProbeReply, TlsSummary } from "./types.js";

/** TLS knobs a check may set (the TLS-version check offers only old protocols). */
export type TlsKnobs = Pick<ConnectionOptions, "minVersion" | "maxVersion" | "ciphers">;

export interface SessionSetup {
  readonly host: string;
  readonly port: number;
  /** TLS at connect (implicit TLS, RFC 8314). */
  readonly implicitTls: boolean;
  readonly servername: string | undefined;
  readonly ca: string | Buffer | readonly (string | Buffer)[] | undefined;
  readonly tlsKnobs?: TlsKnobs;
  readonly replyTimeout: number;
  readonly quietWait: number;
  readonly signal: AbortSignal;
  readonly transcript: Transcript;
  /** This connection's number within the check. */
  readonly conn: number;
  readonly budget: Budget;
}

type Item = AssembledItem;

export class ProbeSession {
  /** Set by `CheckContext.open` once read. */
  greeting: ProbeReply | undefined;
  ehlo: ProbeReply | undefined;
  capabilities: Capabilities | undefined;

  #socket: Socket | TLSSocket;
  #tls: TlsSummary | undefined;
  readonly #setup: SessionSetup;
  readonly #assembler: ReplyAssembler;
  readonly #queue: Item[] = [];
  #waiter: (() => void) | undefined;
  #closed = false;
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);

  private constructor(socket: Socket | TLSSocket, setup: SessionSetup, tls: TlsSummary | undefined) {
    this.#socket = socket;
    this.#setup = setup;
    this.#tls = tls;
    this.#assembler = new ReplyAssembler((line, bareLf) =>
      setup.transcript.add(setup.conn, "S", showWire(bareLf ? `${line}\n` : line)),
    );
    this.#attach(socket);
  }

  /** Open the TCP connection (and the TLS handshake for implicit TLS). Counts against the budget. */
  static async connect(setup: SessionSetup): Promise<ProbeSession> {
    setup.budget.takeConnection();
    const { host, port } = setup;
    const note = (text: string): void => setup.transcript.add(setup.conn, "-", text);
    if (!setup.implicitTls) {
      note(`connect ${host}:${port}`);
      const socket = netConnect({ host, port });
      await settle(socket, "connect", setup, "connect-failed");
      return new ProbeSession(socket, setup, undefined);
    }
    note(`connect ${host}:${port} with TLS`);
    const socket = tlsConnect({ host, port, ...tlsOptionsFor(setup, setup.tlsKnobs) });
    await settle(socket, "secureConnect", setup, "tls-failed");
    const tls = summarize(socket, "implicit", setup.servername);
    note(`TLS ${tls.protocol} ${tls.cipher}`);
    return new ProbeSession(socket, setup, tls);
  }

  get secure(): boolean {
    return this.#tls !== undefined;
  }

  get tls(): TlsSummary | undefined {
    return this.#tls;
  }

  /**
   * Channel-binding data of this connection's TLS, for SCRAM-*-PLUS (RFC 5802 §6): "tls-exporter"
   * (RFC 9266, TLS 1.3 only) and "tls-server-end-point" (RFC 5929 §4.1, the server certificate's hash
   * chosen by its signature algorithm, via smtp-sasl). Undefined in clear.
   */
  channelBinding(): { "tls-exporter"?: Uint8Array; "tls-server-end-point"?: Uint8Array } | undefined {
    const socket = this.#socket;
    if (this.#tls === undefined || !("getPeerCertificate" in socket)) return undefined;
    const out: { "tls-exporter"?: Uint8Array; "tls-server-end-point"?: Uint8Array } = {};
    if (socket.getProtocol() === "TLSv1.3") out["tls-exporter"] = socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0));
    const cert = socket.getPeerCertificate();
    const endPoint = cert?.raw === undefined ? undefined : tlsServerEndPoint(cert.raw);
    if (endPoint !== undefined) out["tls-server-end-point"] = endPoint;
    return out;
  }

  /** The server closed the connection, or it broke. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Replies (and reply errors) received and not yet read. */
  get unread(): number {
    return this.#queue.length;
  }

  /** Send one command line; CRLF is appended. */
  send(line: string): void {
    this.#write(Buffer.from(`${line}\r\n`, "utf8"), line);
  }

  /**
   * Send a line that carries a secret (an AUTH exchange with real credentials): the transcript shows
   * `shown` instead, so neither the report nor its JSON can leak it.
   */
  sendSecret(line: string, shown: string): void {
    this.#write(Buffer.from(`${line}\r\n`, "utf8"), shown);
  }

  /** Send bytes exactly as given (bare CR/LF, NUL, several commands at once). */
  sendRaw(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
    this.#write(bytes, bytes.toString("latin1"));
  }

  #write(bytes: Buffer, shown: string): void {
    if (this.#closed) throw new ProbeError("closed", "the connection is closed");
    this.#setup.budget.takeBytes(bytes.length);
    this.#setup.transcript.add(this.#setup.conn, "C", showWire(shown));
    this.#socket.write(bytes);
  }

  /** Send a line and read its reply. */
  async command(line: string, timeout?: number): Promise<ProbeReply> {
    this.send(line);
    return this.read(timeout);
  }

  /** The next reply. Rejects with ProbeError "timeout", "closed", "bad-reply" or "aborted". */
  async read(timeout = this.#setup.replyTimeout): Promise<ProbeReply> {
    const item = await this.#next(timeout);
    if (item === undefined) {
      throw new ProbeError(this.#closed ? "closed" : "timeout", this.#closed ? "the server closed the connection" : `no reply within ${timeout} ms`);
    }
    if ("error" in item) throw item.error;
    return item.reply;
  }

  /** `n` replies in order. */
  async readMany(n: number, timeout?: number): Promise<ProbeReply[]> {
    const out: ProbeReply[] = [];
    for (let i = 0; i < n; i++) out.push(await this.read(timeout));
    return out;
  }

  /**
   * Wait up to `ms` for a reply that should *not* come: resolves to it if one does, else undefined
   * (also when the connection closes: look at `closed`). A malformed reply rejects.
   */
  async quiet(ms = this.#setup.quietWait): Promise<ProbeReply | undefined> {
    const item = await this.#next(ms);
    if (item === undefined) return undefined;
    if ("error" in item) throw item.error;
    return item.reply;
  }

  /** Resolves true when the server closes the connection within `ms`. Unread replies are dropped. */
  async waitClosed(ms = this.#setup.replyTimeout): Promise<boolean> {
    const until = Date.now() + ms;
    while (!this.#closed) {
      const left = until - Date.now();
      if (left <= 0) return false;
      const item = await this.#next(left);
      if (item === undefined && !this.#closed) return false;
    }
    return true;
  }

  /**
   * TLS handshake on this connection, after the caller read the 220 to STARTTLS. Whatever the server
   * sent after that 220 is dropped and noted: a client must not act on it (RFC 3207 §6).
   */
  async startTls(knobs?: TlsKnobs): Promise<TlsSummary> {
    const leftover = this.#queue.length + this.#assembler.holding;
    if (leftover > 0) this.#setup.transcript.add(this.#setup.conn, "-", "bytes the server sent in clear after the 220 were discarded");
    this.#queue.length = 0;
    this.#assembler.reset();
    const plain = this.#socket;
    plain.off("data", this.#onData);
    const socket = tlsConnect({ socket: plain, ...tlsOptionsFor(this.#setup, knobs) });
    await settle(socket, "secureConnect", this.#setup, "tls-failed");
    this.#socket = socket;
    this.#attach(socket);
    const tls = summarize(socket, "starttls", this.#setup.servername);
    this.#tls = tls;
    this.#setup.transcript.add(this.#setup.conn, "-", `TLS ${tls.protocol} ${tls.cipher}`);
    return tls;
  }

  /** Drop the connection (no QUIT). Idempotent. */
  close(): void {
    this.#closed = true;
    this.#socket.destroy();
    this.#wake();
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on("data", this.#onData);
    socket.on("error", (err: Error) => {
      this.#setup.transcript.add(this.#setup.conn, "-", `socket error: ${err.message}`);
    });
    socket.on("close", () => {
      if (!this.#closed) this.#setup.transcript.add(this.#setup.conn, "-", "connection closed by the server");
      this.#closed = true;
      this.#wake();
    });
  }

  #receive(chunk: Buffer): void {
    for (const item of this.#assembler.push(chunk)) this.#push(item);
  }

  #push(item: Item): void {
    this.#queue.push(item);
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /** The next queued item, waiting up to `ms`; undefined on timeout or close. Rejects when aborted. */
  async #next(ms: number): Promise<Item | undefined> {
    const signal = this.#setup.signal;
    const until = Date.now() + ms;
    for (;;) {
      if (signal.aborted) throw new ProbeError("aborted", "the check's time is up");
      const item = this.#queue.shift();
      if (item !== undefined) return item;
      if (this.#closed) return undefined;
      const left = until - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          if (this.#waiter === done) this.#waiter = undefined;
          resolve();
        };
        const timer = setTimeout(done, left);
        signal.addEventListener("abort", done, { once: true });
        this.#waiter = done;
      });
    }
  }
}

function tlsOptionsFor(setup: SessionSetup, knobs: TlsKnobs | undefined): ConnectionOptions {
  const extra = setup.ca === undefined ? [] : Array.isArray(setup.ca) ? setup.ca : [setup.ca];
  return {
    // The probe reports on the certificate instead of refusing it: a self-signed MX is a finding.
    rejectUnauthorized: false,
    ...(setup.servername === undefined ? {} : { servername: setup.servername }),
    ...(extra.length === 0 ? {} : { ca: [...rootCertificates, ...(extra as (string | Buffer)[])] }),
    ...knobs,
  };
}

/** Wait for `event`, a failure, the reply timeout or the check's abort. */
function settle(socket: Socket, event: string, setup: SessionSetup, code: "connect-failed" | "tls-failed"): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off(event, ok);
      socket.off("error", bad);
      socket.off("close", closed);
      setup.signal.removeEventListener("abort", aborted);
    };
    const ok = (): void => {
      cleanup();
      resolve();
    };
    const bad = (err: Error): void => {
      cleanup();
      socket.destroy();
      setup.transcript.add(setup.conn, "-", `${code}: ${err.message}`);
      reject(new ProbeError(code, err.message, { cause: err }));
    };
    const closed = (): void => bad(new Error("connection closed"));
    const aborted = (): void => bad(new Error("the check's time is up"));
    const timer = setTimeout(() => bad(new Error(`no ${event} within ${setup.replyTimeout} ms`)), setup.replyTimeout);
    socket.once(event, ok);
    socket.once("error", bad);
    socket.once("close", closed);
    if (setup.signal.aborted) aborted();
    else setup.signal.addEventListener("abort", aborted, { once: true });
  });
}

function summarize(socket: TLSSocket, via: "implicit" | "starttls", servername: string | undefined): TlsSummary {
  const cert = socket.getPeerCertificate();
  const hasCert = cert !== undefined && Object.keys(cert).length > 0;
  const authError = socket.authorizationError as unknown;
  const name = (o: Record<string, unknown> | undefined): string | undefined =>
    o === undefined ? undefined : Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(", ");
  return {
    via,
    protocol: socket.getProtocol() ?? "unknown",
    cipher: socket.getCipher()?.name ?? "unknown",
    trusted: socket.authorized,
    ...(authError === undefined || authError === null ? {} : { trustError: String(authError) }),
    ...(servername === undefined || !hasCert ? {} : { nameMatches: checkServerIdentity(servername, cert) === undefined, servername }),
    ...(hasCert
      ? {
          subject: name(cert.subject as unknown as Record<string, unknown>),
          issuer: name(cert.issuer as unknown as Record<string, unknown>),
          validFrom: cert.valid_from,
          validTo: cert.valid_to,
          ...(cert.subjectaltname === undefined ? {} : { altNames: cert.subjectaltname }),
          fingerprint256: cert.fingerprint256,
        }
      : {}),
  } as TlsSummary;
}
