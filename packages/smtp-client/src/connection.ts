/** A Connection: one SMTP/LMTP session, several messages in turn. */
import type { Capabilities } from "@smtpkit/smtp-codec";
import { buildEnvelope } from "./envelope.js";
import { SmtpClientError } from "./errors.js";
import { type OpenSession, open } from "./session.js";
import { transfer } from "./transfer.js";
import type { Connection, ConnectOptions, SendInput, SendResult } from "./types.js";

class SmtpConnection implements Connection {
  readonly #s: OpenSession;
  readonly #lmtp: boolean;
  #busy: Promise<unknown> = Promise.resolve();
  #dirty = false;
  #closed = false;

  constructor(s: OpenSession, lmtp: boolean) {
    this.#s = s;
    this.#lmtp = lmtp;
  }

  get capabilities(): Capabilities {
    return this.#s.capabilities;
  }
  get secure(): boolean {
    return this.#s.secure;
  }
  get authenticated(): string | undefined {
    return this.#s.authenticated;
  }
  get host(): string {
    return this.#s.host;
  }
  get closed(): boolean {
    return this.#closed || this.#s.wire.error !== undefined;
  }

  /**
   * One operation at a time, in call order (FIFO). An operation may call `release` before it ends
   * to let the next one start writing: a pipelined DATA send does so once its dot is written.
   */
  #serial<T>(f: (release: () => void) => Promise<T>): Promise<T> {
    let release: () => void = () => undefined;
    const turn = new Promise<void>((r) => {
      release = r;
    });
    const prev = this.#busy;
    this.#busy = turn;
    const run = prev.then(() => f(release));
    run.then(release, release);
    return run;
  }

  #check(phase: "mail" | "rset" | "quit"): void {
    const e = this.#s.wire.error;
    if (e !== undefined) throw e;
    if (this.#closed) throw new SmtpClientError("closed", phase, "the connection is closed");
  }

  send(input: SendInput): Promise<SendResult> {
    return this.#serial(async (release) => {
      this.#check("mail");
      const caps = this.#s.capabilities;
      const env = buildEnvelope(input, caps, this.#s.secure);
      const reset = this.#dirty;
      this.#dirty = true;
      let released = false;
      // RFC 2920 §3.1: the message content and its dot may be followed, in the same group, by the next
      // transaction's commands; after the end of data the state is reset whatever the reply
      // (RFC 5321 §4.1.1.4), so the next send needs no RSET and may start before this reply is in.
      // Only DATA with PIPELINING, not LMTP: BDAT and LMTP keep one transaction at a time.
      const sent =
        caps.pipelining && !this.#lmtp && !env.bdat
          ? () => {
              released = true;
              this.#dirty = false;
              release();
            }
          : undefined;
      const onAbort = () => this.#s.wire.fail(new SmtpClientError("aborted", "data", "aborted"));
      input.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        if (input.signal?.aborted === true) throw new SmtpClientError("aborted", "mail", "aborted");
        const result = await transfer(
          {
            wire: this.#s.wire,
            timeouts: this.#s.timeouts,
            pipelining: caps.pipelining,
            lmtp: this.#lmtp,
            host: this.#s.host,
            reset,
            ...(sent === undefined ? {} : { sent }),
          },
          env,
          input.message,
        );
        // A transaction that reached its final reply leaves the session clean (RFC 5321 §4.1.1.4).
        // Once released, the next send owns the session state.
        if (!released) this.#dirty = result.data === undefined;
        return result;
      } catch (e) {
        if (SmtpClientError.isInstance(e)) throw e;
        // Errors of the message source (a failing stream): the session is mid-DATA, so end it.
        const err = new SmtpClientError("connection-lost", "data", `message source failed: ${String(e)}`, {
          cause: e,
        });
        this.#s.wire.fail(err);
        throw err;
      } finally {
        input.signal?.removeEventListener("abort", onAbort);
      }
    });
  }

  reset(): Promise<void> {
    return this.#serial(async () => {
      this.#check("rset");
      const p = this.#s.wire.expect("rset", this.#s.timeouts.command);
      await this.#s.wire.write("RSET\r\n", "rset", this.#s.timeouts.command);
      const r = await p;
      if (r.code !== 250) throw new SmtpClientError("rejected", "rset", `RSET refused: ${r.code}`, { reply: r });
      this.#dirty = false;
    });
  }

  quit(): Promise<void> {
    return this.#serial(async () => {
      if (this.closed) return;
      const wire = this.#s.wire;
      try {
        const p = wire.expect("quit", this.#s.timeouts.quit);
        await wire.write("QUIT\r\n", "quit", this.#s.timeouts.quit);
        await p;
      } catch {
        // The server may close before or instead of its 221; the session is over either way.
      } finally {
        this.close();
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#s.wire.error === undefined) {
      this.#s.wire.fail(new SmtpClientError("closed", "quit", "the connection was closed"));
    }
  }
}

/**
 * Open a session: connect, greeting, EHLO (HELO on 500/502, LHLO for LMTP), STARTTLS as the policy
 * says, AUTH when asked. Rejects with SmtpClientError.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const s = await open(options);
  return new SmtpConnection(s, options.lmtp ?? false);
}
