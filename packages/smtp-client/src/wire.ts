/**
 * The socket side of a session: writes bytes with backpressure and hands each server reply to the
 * command that waits for it, strictly in order (RFC 2920 §3.1). A reply that arrives when no command
 * waits for one is an attack or a broken server: the session ends, so an injected line can never
 * shift the pairing of later commands and replies.
 */
import type { Duplex } from "node:stream";
import { type Reply, ReplyReader, SmtpSyntaxError } from "@smtpkit/smtp-codec";
import { SmtpClientError, type SmtpPhase } from "./errors.js";

interface Waiter {
  readonly phase: SmtpPhase;
  readonly timeout: number;
  readonly handoff: boolean;
  resolve(reply: Reply): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export interface WireOptions {
  readonly maxReplyLineLength?: number;
  readonly signal?: AbortSignal;
}

export class Wire {
  readonly socket: Duplex;
  readonly #reader: ReplyReader;
  readonly #waiters: Waiter[] = [];
  #error: SmtpClientError | undefined;
  #detached = false;
  readonly #onData = (chunk: Buffer) => this.#receive(chunk);
  readonly #onError = (e: Error) =>
    this.fail(new SmtpClientError("connection-lost", this.#phase(), `connection error: ${e.message}`, { cause: e }));
  readonly #onClose = () => this.fail(new SmtpClientError("connection-lost", this.#phase(), "the server closed the connection"));
  readonly #onAbort = () => this.fail(new SmtpClientError("aborted", this.#phase(), "aborted"));
  readonly #signal: AbortSignal | undefined;

  constructor(socket: Duplex, options: WireOptions = {}) {
    this.socket = socket;
    this.#reader = new ReplyReader(
      options.maxReplyLineLength === undefined ? {} : { maxLineLength: options.maxReplyLineLength },
    );
    this.#signal = options.signal;
    socket.on("data", this.#onData);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    socket.on("end", this.#onClose);
    if (this.#signal !== undefined) {
      if (this.#signal.aborted) queueMicrotask(this.#onAbort);
      else this.#signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  get error(): SmtpClientError | undefined {
    return this.#error;
  }

  #phase(): SmtpPhase {
    return this.#waiters[0]?.phase ?? "connect";
  }

  /** Wait for the next reply, in order after every earlier `expect`. */
  expect(phase: SmtpPhase, timeout: number, handoff = false): Promise<Reply> {
    const p = new Promise<Reply>((resolve, reject) => {
      if (this.#error !== undefined) return reject(this.#error);
      const w: Waiter = { phase, timeout, handoff, resolve, reject };
      this.#waiters.push(w);
      if (this.#waiters.length === 1) this.#arm(w);
    });
    // A caller whose write failed first never awaits this one; the failure reaches it through the write.
    p.catch(() => undefined);
    return p;
  }

  #arm(w: Waiter): void {
    w.timer = setTimeout(
      () => this.fail(new SmtpClientError("timeout", w.phase, `no reply in ${w.timeout} ms (${w.phase})`)),
      w.timeout,
    );
  }

  #receive(chunk: Buffer): void {
    if (this.#error !== undefined || this.#detached) return;
    this.#reader.push(chunk);
    for (;;) {
      let reply: Reply | undefined;
      try {
        reply = this.#reader.next();
      } catch (e) {
        const text = SmtpSyntaxError.isInstance(e) ? e.message : "unreadable reply";
        this.fail(new SmtpClientError("bad-reply", this.#phase(), `bad reply from the server: ${text}`, { cause: e }));
        return;
      }
      if (reply === undefined) return;
      const w = this.#waiters.shift();
      if (w === undefined) {
        this.fail(new SmtpClientError("bad-reply", "connect", `unsolicited reply ${reply.code} from the server`, { reply }));
        return;
      }
      clearTimeout(w.timer);
      const next = this.#waiters[0];
      if (next !== undefined) this.#arm(next);
      if (w.handoff) {
        // STARTTLS 220 (RFC 3207): stop reading; whatever follows is checked by `detach`, which the
        // caller runs in the microtask that follows, before any further socket event.
        this.#detached = true;
        w.resolve(reply);
        return;
      }
      w.resolve(reply);
    }
  }

  /** Write bytes; resolves when the socket can take more (backpressure), within `timeout`. */
  write(data: string | Uint8Array, phase: SmtpPhase, timeout: number): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    const ok = this.socket.write(data);
    if (ok) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (e?: Error) => {
        clearTimeout(timer);
        this.socket.off("drain", onDrain);
        this.socket.off("close", onClose);
        if (e === undefined) resolve();
        else reject(e);
      };
      const onDrain = () => done();
      const onClose = () => done(this.#error ?? new SmtpClientError("connection-lost", phase, "connection closed"));
      const timer = setTimeout(() => {
        const e = new SmtpClientError("timeout", phase, `could not write for ${timeout} ms (${phase})`);
        this.fail(e);
        done(e);
      }, timeout);
      this.socket.on("drain", onDrain);
      this.socket.on("close", onClose);
    });
  }

  /** Stop listening (for the TLS hand-off); returns the bytes the server sent after the last reply. */
  detach(): Uint8Array {
    this.#detached = true;
    this.#release();
    return this.#reader.takeRest();
  }

  #release(): void {
    this.socket.off("data", this.#onData);
    this.socket.off("error", this.#onError);
    this.socket.off("close", this.#onClose);
    this.socket.off("end", this.#onClose);
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  /** End the session with `error`: every waiting command gets it, the socket is destroyed. */
  fail(error: SmtpClientError): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.#release();
    this.socket.on("error", () => {});
    this.socket.destroy();
  }
}
