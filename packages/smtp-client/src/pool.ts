/** A pool of connections to one server: max connections, messages per connection, idle timeout, rate limit. */
import { connect } from "./connection.js";
import { SmtpClientError } from "./errors.js";
import { RateLimiter } from "./rate-limit.js";
import type { Connection, Pool, PoolOptions, SendInput, SendResult } from "./types.js";

interface Slot {
  conn: Connection;
  sent: number;
  idleTimer?: NodeJS.Timeout;
}

class SmtpPool implements Pool {
  readonly #o: PoolOptions;
  readonly #max: number;
  readonly #maxMessages: number;
  readonly #idle: number;
  readonly #rate: RateLimiter | undefined;
  readonly #free: Slot[] = [];
  readonly #waiting: ((slot: Slot | undefined) => void)[] = [];
  #open = 0;
  #closed = false;

  constructor(o: PoolOptions) {
    this.#o = o;
    this.#max = o.maxConnections ?? 5;
    this.#maxMessages = o.maxMessages ?? 100;
    this.#idle = o.idleTimeout ?? 30_000;
    for (const [k, v] of [
      ["maxConnections", this.#max],
      ["maxMessages", this.#maxMessages],
    ] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`${k} must be a positive integer`);
    }
    this.#rate = o.rateLimit === undefined ? undefined : new RateLimiter(o.rateLimit, o.rateWindow ?? 1000, o.now ?? Date.now);
  }

  async send(input: SendInput): Promise<SendResult> {
    if (this.#closed) throw new SmtpClientError("closed", "connect", "the pool is closed");
    await this.#rate?.take(input.signal);
    const slot = await this.#acquire();
    let ok = true;
    try {
      return await slot.conn.send(input);
    } catch (e) {
      ok = !slot.conn.closed;
      throw e;
    } finally {
      slot.sent++;
      this.#release(slot, ok);
    }
  }

  async #acquire(): Promise<Slot> {
    for (;;) {
      const free = this.#free.pop();
      if (free !== undefined) {
        clearTimeout(free.idleTimer);
        if (!free.conn.closed) return free;
        this.#open--;
        continue;
      }
      if (this.#open < this.#max) {
        this.#open++;
        try {
          return { conn: await connect(this.#o), sent: 0 };
        } catch (e) {
          this.#open--;
          this.#wakeOne();
          throw e;
        }
      }
      const slot = await new Promise<Slot | undefined>((resolve) => this.#waiting.push(resolve));
      if (this.#closed) throw new SmtpClientError("closed", "connect", "the pool is closed");
      if (slot !== undefined) return slot;
    }
  }

  /** Give a waiter the slot, or a chance to open a connection. */
  #wakeOne(slot?: Slot): boolean {
    const w = this.#waiting.shift();
    if (w === undefined) return false;
    w(slot);
    return true;
  }

  #release(slot: Slot, healthy: boolean): void {
    if (!healthy || slot.conn.closed || slot.sent >= this.#maxMessages || this.#closed) {
      this.#open--;
      void slot.conn.quit();
      this.#wakeOne();
      return;
    }
    if (this.#wakeOne(slot)) return;
    slot.idleTimer = setTimeout(() => {
      const i = this.#free.indexOf(slot);
      if (i === -1) return;
      this.#free.splice(i, 1);
      this.#open--;
      void slot.conn.quit();
    }, this.#idle);
    slot.idleTimer.unref?.();
    this.#free.push(slot);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiting.splice(0)) w(undefined);
    const all = this.#free.splice(0);
    this.#open -= all.length;
    await Promise.all(
      all.map((s) => {
        clearTimeout(s.idleTimer);
        return s.conn.quit();
      }),
    );
  }
}

/** A pool of connections to the server in `options`; `send` waits for a free connection. */
export function createPool(options: PoolOptions): Pool {
  return new SmtpPool(options);
}
