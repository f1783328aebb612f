/**
 * The message stream handed to `onData`: a Readable fed by the session with backpressure. The
 * session awaits `write()` when the consumer is behind, and the socket stays paused meanwhile, so a
 * large message never sits in memory. If the consumer destroys the stream (or errors), the rest of
 * the content is still read to its real end and dropped: one DATA never turns into two messages.
 */
import { Readable } from "node:stream";

const HIGH_WATER_MARK = 64 * 1024;

export class MessageStream extends Readable {
  #wanted: (() => void) | undefined;

  constructor() {
    super({ highWaterMark: HIGH_WATER_MARK });
    // The session may destroy the stream with an error (size exceeded, client gone). An
    // application without an 'error' listener must not crash the process because of it.
    this.on("error", noop);
  }

  override _read(): void {
    const w = this.#wanted;
    if (w !== undefined) {
      this.#wanted = undefined;
      w();
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this._read();
    cb(err);
  }

  /** Give `part` to the consumer; resolves at once unless its buffer is full. Dropped once destroyed. */
  feed(part: Uint8Array): Promise<void> | undefined {
    if (this.destroyed) return undefined;
    if (this.push(part)) return undefined;
    return new Promise<void>((resolve) => {
      this.#wanted = resolve;
    });
  }

  /** The end of the content. */
  finish(): void {
    if (!this.destroyed) this.push(null);
  }
}

function noop(): void {}

/**
 * Turns every bare CR and bare LF into CRLF across chunk boundaries (the "normalize" policy for
 * bodies with bare line endings). Unchanged runs are passed through as views.
 */
export class LineEndingNormalizer {
  /** The previous chunk ended with a CR whose LF may start the next chunk. */
  #pendingCr = false;

  push(part: Uint8Array, out: Uint8Array[]): void {
    const n = part.length;
    let start = 0;
    let i = 0;
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (n > 0 && part[0] === LF) {
        out.push(CRLF);
        start = 1;
        i = 1;
      } else out.push(CRLF);
    }
    for (; i < n; i++) {
      const c = part[i];
      if (c === CR) {
        if (i + 1 === n) {
          if (i > start) out.push(part.subarray(start, i));
          this.#pendingCr = true;
          return;
        }
        if (part[i + 1] === LF) {
          i++;
          continue;
        }
        if (i > start) out.push(part.subarray(start, i));
        out.push(CRLF);
        start = i + 1;
      } else if (c === LF) {
        if (i > start) out.push(part.subarray(start, i));
        out.push(CRLF);
        start = i + 1;
      }
    }
    if (start < n) out.push(start === 0 ? part : part.subarray(start));
  }

  /** A CR held back at the very end of the content. */
  end(out: Uint8Array[]): void {
    if (this.#pendingCr) {
      this.#pendingCr = false;
      out.push(CRLF);
    }
  }
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from("\r\n");
