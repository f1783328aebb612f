/** A sliding-window limit on messages started, shared by a whole pool. */
export class RateLimiter {
  readonly #limit: number;
  readonly #window: number;
  readonly #starts: number[] = [];
  readonly #now: () => number;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError("rateLimit must be a positive integer");
    if (!(windowMs > 0)) throw new RangeError("rateWindow must be positive");
    this.#limit = limit;
    this.#window = windowMs;
    this.#now = now;
  }

  /** Milliseconds to wait before the next start is allowed (0: now), and records it when 0. */
  tryTake(): number {
    const now = this.#now();
    while (this.#starts.length > 0 && (this.#starts[0] as number) <= now - this.#window) this.#starts.shift();
    if (this.#starts.length < this.#limit) {
      this.#starts.push(now);
      return 0;
    }
    return (this.#starts[0] as number) + this.#window - now;
  }

  /** Resolves when a start is allowed, and records it. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake();
      if (wait === 0) return;
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        // The abort listener goes when the wait ends either way: one signal may span many waits.
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, wait);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }
}
