/**
 * One SMTP/LMTP connection: the input pump, the modes (PROXY header, before the greeting,
 * commands, message content, AUTH exchange, TLS handshake), deadlines and teardown. Command
 * semantics live in commands.ts, message content in transfer.ts, AUTH in auth.ts.
 *
 * Input is processed strictly in order: while a hook runs, newly arrived chunks wait in `pending`
 * and the socket is paused, so memory stays bounded and replies stay in command order (RFC 2920).
 * Steps return a promise only when they have something to wait for (a hook, the message
 * consumer); otherwise a chunk is processed synchronously, without a microtask per command.
 */
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { type BdatReader, LineReader, SmtpSyntaxError } from "@smtpkit/smtp-codec";
import type { Reply } from "@smtpkit/smtp-codec";
import type { ServerMechanism } from "@smtpkit/smtp-sasl";
import { MAX_AUTH_LINE, authLine } from "./auth.js";
import { matchesCidr } from "./cidr.js";
import { handleCommand } from "./commands.js";
import type { ServerContext } from "./context.js";
import { SmtpReplyError } from "./errors.js";
import { HookTimeout, checkDeadlines } from "./deadlines.js";
import { errorFields } from "./logger.js";
import { begin, consumeProxy } from "./opening.js";
import { ReplyQueue } from "./pipeline.js";
import { R } from "./replies.js";
import { SessionInfo, Transaction } from "./session-info.js";
import { startTls, tlsInfo } from "./tls.js";
import type { Transfer } from "./transfer.js";
import type { Hooks } from "./types.js";
import { receiveBdat, receiveData } from "./transfer.js";

const EMPTY = new Uint8Array(0);
/** Unread replies beyond which the session stops reading commands until the client reads. */
const OUTPUT_HIGH_WATER = 256 * 1024;

export const Mode = {
  Proxy: 0,
  PreGreet: 1,
  Command: 2,
  Data: 3,
  Bdat: 4,
  Auth: 5,
  Tls: 6,
  Closed: 7,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** A promise or any thenable, as hooks may return. */
export function isPromiseLike<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

export class Connection {
  readonly ctx: ServerContext;
  readonly info: SessionInfo;
  readonly out: ReplyQueue;
  readonly lines: LineReader;
  socket: Duplex;
  mode: Mode = Mode.PreGreet;
  /** HELO (false) or EHLO/LHLO (true) was the last greeting. */
  esmtp = false;
  tx: Transaction | undefined;
  transfer: Transfer | undefined;
  authMech: ServerMechanism | undefined;
  /** A refused BDAT chunk being read and dropped. */
  bdatDiscard: { readonly reader: BdatReader; readonly refusal: Reply } | undefined;
  badCommands = 0;
  authFailures = 0;
  /** Chunks that arrived while a command was being processed. */
  pending: Uint8Array[] = [];
  busy = false;
  /** Replies are piling up unread: waiting for the client to read them. */
  awaitingDrain = false;
  #paused = false;
  #peerEnded = false;
  #kicked = false;
  /** Bytes came before the greeting. */
  earlyBytes = false;
  readonly implicitTls: boolean;
  /** A PROXY header still incomplete. */
  proxyBuf: Uint8Array | undefined;
  /** The address counted against the per-address limit. */
  admitted: string | undefined;
  /** onConnect was reached: onClose is owed. */
  connected = false;
  // Deadlines, on the server's coarse clock.
  lastActivity: number;
  modeSince: number;
  /** When the current, incomplete command line began (0: none). */
  lineStart = 0;
  /** When the hook being awaited was called (0: none), and how to give up on it. */
  hookStart = 0;
  hookReject: ((err: Error) => void) | undefined;
  /** Message content: when it began, octets so far, and time spent waiting for the consumer. */
  dataStart = 0;
  dataBytes = 0;
  dataStalled = 0;

  constructor(ctx: ServerContext, socket: Duplex, info: SessionInfo, implicitTls: boolean) {
    this.ctx = ctx;
    this.socket = socket;
    this.info = info;
    this.out = new ReplyQueue(ctx.ext.enhancedStatusCodes);
    // AUTH lines may be longer than other commands (RFC 4954 §4); handleCommand checks the others.
    const max = ctx.hooks.onAuth === undefined ? ctx.limits.maxLineLength : Math.max(ctx.limits.maxLineLength, MAX_AUTH_LINE + 2);
    this.lines = new LineReader({ maxLineLength: max });
    this.implicitTls = implicitTls;
    this.lastActivity = ctx.now;
    this.modeSince = ctx.now;
    this.attach(socket);
  }

  /** Begin: expect a PROXY header from trusted peers, else go straight to the greeting. */
  start(): void {
    if (this.ctx.proxyTrusted.length > 0 && matchesCidr(this.info.remoteAddress, this.ctx.proxyTrusted)) {
      this.setMode(Mode.Proxy);
      return;
    }
    void begin(this, undefined);
  }

  attach(socket: Duplex): void {
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
  }

  detach(socket: Duplex): void {
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("close", this.#onClose);
    // The error listener stays: a torn-down socket may still report an error.
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.modeSince = this.ctx.now;
  }

  readonly #onData = (chunk: Uint8Array): void => {
    this.lastActivity = this.ctx.now;
    if (this.busy) {
      this.pending.push(chunk);
      if (!this.#paused) {
        this.#paused = true;
        this.socket.pause();
      }
      return;
    }
    this.run(chunk);
  };

  readonly #onEnd = (): void => {
    this.#peerEnded = true;
    if (!this.busy) this.close(undefined);
  };

  readonly #onError = (err: Error): void => {
    if (this.mode !== Mode.Closed) this.ctx.logger.info({ session: this.info.id, err: errorFields(err) }, "connection error");
    this.socket.destroy();
  };

  readonly #onClose = (): void => {
    this.#teardown();
  };

  /**
   * Process bytes that are already buffered (early commands after the greeting, the first
   * command after a TLS handshake). Never two runs at once: a running one picks the work up.
   */
  kick(): void {
    if (this.busy) this.#kicked = true;
    else this.run(undefined);
  }

  /** Resolves on 'drain' or 'close'; meanwhile the idle deadline runs (see deadlines.ts). */
  #drained(): Promise<void> {
    const socket = this.socket;
    this.awaitingDrain = true;
    return new Promise<void>((resolve) => {
      const done = () => {
        socket.off("drain", done);
        socket.off("close", done);
        this.awaitingDrain = false;
        resolve();
      };
      socket.on("drain", done);
      socket.on("close", done);
    });
  }

  /**
   * Process `chunk` and whatever queued up meanwhile; flush the replies of the group at the end.
   * Synchronous while no step has to wait; from the first one that does, `#runAsync` goes on.
   */
  run(chunk: Uint8Array | undefined): void {
    this.busy = true;
    try {
      let next = chunk ?? this.pending.shift() ?? EMPTY;
      for (;;) {
        if (this.mode === Mode.Closed) break;
        const waiting = this.consume(next);
        if (waiting !== undefined) {
          void this.#runAsync(waiting, false);
          return;
        }
        // A client that pipelines without reading our replies: stop reading until it catches up.
        if (this.#overHighWater()) {
          this.flush();
          void this.#runAsync(this.#drained(), true);
          return;
        }
        const queued = this.pending.shift();
        if (queued !== undefined) next = queued;
        else if (this.#kicked) next = EMPTY;
        else break;
        this.#kicked = false;
      }
      if (this.mode !== Mode.Closed && this.mode !== Mode.Tls) this.flush();
    } catch (err) {
      this.#failed(err);
    }
    this.#ran();
  }

  /** `run` once a step waits: `waiting` is that step's consume, or with `drained` the wait for the client to read. */
  async #runAsync(waiting: Promise<void>, drained: boolean): Promise<void> {
    try {
      await waiting;
      let checked = drained;
      for (;;) {
        if (!checked && this.#overHighWater()) {
          this.flush();
          await this.#drained();
        }
        checked = false;
        let next: Uint8Array;
        const queued = this.pending.shift();
        if (queued !== undefined) next = queued;
        else if (this.#kicked) next = EMPTY;
        else break;
        this.#kicked = false;
        if (this.mode === Mode.Closed) break;
        const w = this.consume(next);
        if (w !== undefined) await w;
      }
      if (this.mode !== Mode.Closed && this.mode !== Mode.Tls) this.flush();
    } catch (err) {
      this.#failed(err);
    }
    this.#ran();
  }

  #overHighWater(): boolean {
    return this.socket.writableLength > OUTPUT_HIGH_WATER && this.mode !== Mode.Closed;
  }

  #failed(err: unknown): void {
    this.ctx.logger.error({ session: this.info.id, err: errorFields(err) }, "session failed");
    this.close(R.localError);
  }

  /** The end of a run: close if the peer has gone, else read again if reading was paused. */
  #ran(): void {
    this.busy = false;
    if (this.#peerEnded && this.mode !== Mode.Tls) this.close(undefined);
    else if (this.#paused && this.mode !== Mode.Tls && this.mode !== Mode.Closed) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  /** Process `chunk`: synchronously, unless a step has to wait (then the promise of the rest). */
  consume(chunk: Uint8Array): Promise<void> | undefined {
    let c: Uint8Array | undefined = chunk;
    while (c !== undefined) {
      const r = this.#step(c);
      if (r instanceof Promise) return this.#consumeAsync(r);
      c = this.#more(r);
    }
    return undefined;
  }

  async #consumeAsync(waiting: Promise<Uint8Array | undefined>): Promise<void> {
    let c = this.#more(await waiting);
    while (c !== undefined) {
      const r = this.#step(c);
      c = this.#more(r instanceof Promise ? await r : r);
    }
  }

  /** What a step left for the next mode; an empty rest matters only to the command modes. */
  #more(c: Uint8Array | undefined): Uint8Array | undefined {
    if (c !== undefined && c.length === 0 && this.mode !== Mode.Command && this.mode !== Mode.Auth) return undefined;
    return c;
  }

  /** Give `c` to the current mode; the bytes it did not take (after a mode switch), if any. */
  #step(c: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    switch (this.mode) {
      case Mode.Command:
      case Mode.Auth:
        this.lines.push(c);
        return this.#processLines();
      case Mode.Data:
        return receiveData(this, c);
      case Mode.Bdat:
        return receiveBdat(this, c);
      case Mode.Proxy:
        return consumeProxy(this, c);
      case Mode.PreGreet:
        if (c.length > 0) this.earlyBytes = true;
        this.lines.push(c);
        return undefined;
      default:
        // Mode.Tls: bytes pipelined after STARTTLS are discarded, never executed (RFC 3207 §4.2).
        return undefined;
    }
  }

  /** Run every complete line; on a switch to DATA/BDAT content, hand back the bytes after the line. */
  #processLines(): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    for (;;) {
      const l = this.lines.next();
      if (l === undefined) break;
      this.lineStart = 0;
      const waiting = this.mode === Mode.Auth ? authLine(this, l) : handleCommand(this, l);
      if (waiting !== undefined) return this.#processLinesAsync(waiting);
      if (this.mode === Mode.Data || this.mode === Mode.Bdat) return this.lines.takeRest();
      if (this.mode !== Mode.Command && this.mode !== Mode.Auth) return undefined;
    }
    this.lineStart = this.lines.buffered > 0 ? this.lineStart || this.ctx.now : 0;
    return undefined;
  }

  /** `#processLines` from the point where a command has to wait. */
  async #processLinesAsync(waiting: Promise<void>): Promise<Uint8Array | undefined> {
    await waiting;
    for (;;) {
      if (this.mode === Mode.Data || this.mode === Mode.Bdat) return this.lines.takeRest();
      if (this.mode !== Mode.Command && this.mode !== Mode.Auth) return undefined;
      const l = this.lines.next();
      if (l === undefined) break;
      this.lineStart = 0;
      const next = this.mode === Mode.Auth ? authLine(this, l) : handleCommand(this, l);
      if (next !== undefined) await next;
    }
    this.lineStart = this.lines.buffered > 0 ? this.lineStart || this.ctx.now : 0;
    return undefined;
  }

  /**
   * Replace the stream by a TLS session over it. `early` is given to the TLS layer first (the
   * bytes after a PROXY header); for STARTTLS it is undefined: what was pipelined is gone.
   */
  async upgrade(early: Uint8Array | undefined, via: "starttls" | "implicit"): Promise<boolean> {
    const tls = this.ctx.tls;
    if (tls === undefined) {
      this.destroy();
      return false;
    }
    const raw = this.socket;
    this.detach(raw);
    if (early !== undefined) {
      raw.pause();
      raw.unshift(early);
    }
    this.setMode(Mode.Tls);
    let secure: TLSSocket;
    try {
      secure = await startTls(raw, tls, this.ctx.limits.handshakeTimeout);
    } catch (err) {
      this.ctx.logger.info({ session: this.info.id, err: errorFields(err) }, "TLS handshake failed");
      raw.destroy();
      this.#teardown();
      return false;
    }
    this.socket = secure;
    this.#paused = false;
    this.info.secure = true;
    this.info.tls = tlsInfo(secure, via);
    this.attach(secure);
    if (secure.destroyed) {
      this.#teardown();
      return false;
    }
    this.setMode(via === "implicit" ? Mode.PreGreet : Mode.Command);
    return true;
  }

  flush(): void {
    if (this.out.empty) return;
    if (this.socket.writable) this.out.flush(this.socket);
    else this.out.clear();
  }

  /** Queue `reply` (if any), flush, and close after the write. */
  close(reply: Reply | undefined): void {
    if (this.mode === Mode.Closed) return;
    if (reply !== undefined) this.out.add(reply);
    this.flush();
    this.setMode(Mode.Closed);
    const s = this.socket as Duplex & { destroySoon?: () => void };
    // A client that does not read would keep a graceful close waiting forever.
    if (this.awaitingDrain || s.writableLength > OUTPUT_HIGH_WATER) s.destroy();
    else if (typeof s.destroySoon === "function") s.destroySoon();
    else s.end(() => s.destroy());
    this.transfer?.abort(new Error("session closed"));
  }

  destroy(): void {
    this.out.clear();
    this.setMode(Mode.Closed);
    this.socket.destroy();
    this.transfer?.abort(new Error("session closed"));
  }

  /** Await a hook's result, bounded by `limits.hookTimeout` (checked by `tick`). */
  async guard<T>(value: T | Promise<T>): Promise<T> {
    if (!isPromiseLike(value)) return value;
    this.hookStart = this.ctx.now;
    try {
      return await new Promise<T>((resolve, reject) => {
        this.hookReject = reject;
        value.then(resolve, reject);
      });
    } finally {
      if (this.mode === Mode.Data || this.mode === Mode.Bdat) this.dataStalled += this.ctx.now - this.hookStart;
      this.hookStart = 0;
      this.hookReject = undefined;
    }
  }

  /** The reply for a hook's rejection: its own for SmtpReplyError, else 451 4.3.0 and a log line. */
  replyFor(err: unknown, hook: string): Reply {
    if (SmtpReplyError.isInstance(err) || SmtpSyntaxError.isInstance(err)) return err.reply;
    if (err instanceof HookTimeout) {
      if (this.mode === Mode.Closed) return R.localError;
      this.ctx.logger.error({ session: this.info.id, hook }, "hook timed out");
      return R.hookTimeout;
    }
    this.ctx.logger.error({ session: this.info.id, hook, err: errorFields(err) }, "hook failed");
    return R.localError;
  }

  /** Run a notification hook (onReset, onClose): errors are logged, never answered. Undefined without a hook. */
  notify(hook: "onReset" | "onClose"): Promise<void> | undefined {
    const fn = this.ctx.hooks[hook];
    if (fn === undefined) return undefined;
    return this.#notify(fn, hook);
  }

  async #notify(fn: NonNullable<Hooks["onReset" | "onClose"]>, hook: "onReset" | "onClose"): Promise<void> {
    try {
      await this.guard(fn.call(this.ctx.hooks, this.info));
    } catch (err) {
      this.ctx.logger.error({ session: this.info.id, hook, err: errorFields(err) }, "hook failed");
    }
  }

  /** Drop the transaction (RSET, EHLO, STARTTLS), telling onReset when there was one (then a promise). */
  resetTransaction(): Promise<void> | undefined {
    const had = this.tx !== undefined;
    // A BDAT transaction between chunks has an open message stream: the consumer learns it is void.
    this.transfer?.abort(new Error("transaction reset"));
    this.transfer = undefined;
    this.tx = undefined;
    this.info.envelope = undefined;
    return had ? this.notify("onReset") : undefined;
  }

  beginTransaction(tx: Transaction): void {
    this.tx = tx;
    this.info.envelope = tx;
  }

  /** Deadlines, called by the server's tick with its clock. */
  tick(now: number): void {
    checkDeadlines(this, now);
  }

  /** Shutdown: an idle session gets 421 4.3.2 now; one in a transaction after it. */
  shutdownIfIdle(): void {
    if (this.busy || this.tx !== undefined) return;
    if (this.mode === Mode.Command || this.mode === Mode.PreGreet || this.mode === Mode.Auth) this.close(R.shuttingDown);
    else if (this.mode === Mode.Proxy) this.destroy();
  }

  #tornDown = false;
  /** The connection is gone: abort what is in flight, tell onReset/onClose, give the slot back. */
  #teardown(): void {
    if (this.#tornDown) return;
    this.#tornDown = true;
    this.setMode(Mode.Closed);
    this.out.clear();
    this.pending.length = 0;
    this.transfer?.abort(new Error("connection closed"));
    this.hookReject?.(new HookTimeout("connection closed"));
    if (this.connected) {
      const reset = this.tx !== undefined ? this.resetTransaction() : undefined;
      if (reset !== undefined || this.ctx.hooks.onClose !== undefined) {
        void this.#teardownAsync(reset);
        return;
      }
    }
    this.ctx.release(this.admitted, this);
  }

  async #teardownAsync(reset: Promise<void> | undefined): Promise<void> {
    await reset;
    await this.notify("onClose");
    this.ctx.release(this.admitted, this);
  }
}

export { SessionInfo, Transaction };
