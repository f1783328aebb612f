import { Buffer } from "node:buffer";
import { BARE_CR, BARE_LF, scanBareLineEnds } from "./bare-line-ends.js";

/**
 * Incremental decoder of the mail data that follows DATA's 354 reply.
 *
 *     data = "DATA" CRLF                                              (RFC 5321 §4.1.1.4)
 *
 * RFC 5321 §4.1.1.4: "The mail data are terminated by a line containing only a period, that is,
 * the character sequence "<CRLF>.<CRLF>", where the first <CRLF> is actually the terminator of the
 * previous line" and "the sequence "<LF>.<LF>" (bare line feeds, without carriage returns) MUST NOT
 * be treated as equivalent to <CRLF>.<CRLF> as the end of mail data indication."
 * RFC 5321 §4.5.2: "If the line is composed of a single period, it is treated as the end of mail
 * indicator. If the first character is a period and there are other characters on the line, the
 * first character is deleted."
 *
 * Decisions (each could have gone the other way):
 * - A line starts only after CRLF, or at the very start of the data (which follows the CRLF of
 *   the DATA command). So ".\r\n" first is an empty message.
 * - The end is exactly CRLF "." CRLF. No other mix of CR, LF and "." ends the data ("\n.\n",
 *   "\n.\r\n", "\r.\r\n", "\r\n.\n", "\r\n.\r\r\n" …): ending on any of them is SMTP smuggling
 *   (CVE-2023-51764, CVE-2023-51765, CVE-2023-51766).
 * - The CRLF before the final "." belongs to the message: "a\r\n.\r\n" gives "a\r\n". The message
 *   is kept byte-exact.
 * - A "." at a line start is always removed: either it begins the terminator or, followed by
 *   anything else (also a bare CR or LF), it is the transparency dot. A "." after a bare CR or bare
 *   LF is not at a line start and is kept as it is.
 * - Bare CR and bare LF are kept in the body and reported (`bareCr`, `bareLf`); rejecting such a
 *   message (RFC 5322 §2.3, "CR and LF MUST only occur together") is the server's choice.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF_DOT = Buffer.from([CR, LF, DOT]);

/** Where the decoder stands between two octets; at most two octets of the wire are pending. */
const At = {
  /** Mid-line; the previous octet was not a CR. */
  Text: 0,
  /** Mid-line; the previous octet was a CR (already emitted as body). */
  Cr: 1,
  /** At a line start: just after CRLF, or at the start of the data. */
  LineStart: 2,
  /** A "." at a line start was read (and dropped: it is removed whatever follows). */
  Dot: 3,
  /** A "." then a CR at a line start were read; the CR is held back: an LF makes it the end. */
  DotCr: 4,
  /** The terminator has been read. */
  Done: 5,
} as const;
type At = (typeof At)[keyof typeof At];

export interface DataDecoderOptions {
  /**
   * Largest message accepted, in octets after dot-unstuffing (the SIZE of RFC 1870). Past it the
   * decoder emits no more body but keeps reading to the real end of the data, so the server can
   * answer 552 5.3.4 after the terminator and the session stays in step. Default: no limit.
   */
  readonly maxSize?: number;
}

export type DataDecodeResult =
  | { readonly body: Uint8Array[]; readonly done: false }
  | { readonly body: Uint8Array[]; readonly done: true; readonly rest: Uint8Array };

/**
 * Decodes DATA's mail data: removes transparency dots, finds the terminator and hands back the
 * bytes after it (`rest`, the next pipelined commands). `body` holds views (`subarray`) of the
 * pushed chunk wherever the octets are unchanged; only a CR held back across a chunk boundary is
 * emitted as a new one-octet array. Memory: a few flags, no buffered bytes.
 *
 * The same input split any way gives the same concatenated body, `rest`, `size` and flags.
 */
export class DataDecoder {
  readonly #maxSize: number;
  #at: At = At.LineStart;
  #size = 0;
  #bareCr = false;
  #bareLf = false;

  constructor(options: DataDecoderOptions = {}) {
    const max = options.maxSize ?? Number.POSITIVE_INFINITY;
    if (!(max >= 0)) throw new RangeError(`maxSize must be >= 0, got ${max}`);
    this.#maxSize = max;
  }

  /** Octets of the message so far, after dot-unstuffing, counted also past `maxSize`. */
  get size(): number {
    return this.#size;
  }
  /** A CR not followed by LF was seen in the message. */
  get bareCr(): boolean {
    return this.#bareCr;
  }
  /** An LF not preceded by CR was seen in the message. */
  get bareLf(): boolean {
    return this.#bareLf;
  }
  /** `size > maxSize`: the message was truncated to its first `maxSize` octets; answer 552 5.3.4. */
  get sizeExceeded(): boolean {
    return this.#size > this.#maxSize;
  }
  /** The terminator has been read. */
  get done(): boolean {
    return this.#at === At.Done;
  }

  /**
   * Decode the next chunk. After the end, every chunk comes back whole as `rest`: it belongs to
   * the next command.
   */
  push(chunk: Uint8Array): DataDecodeResult {
    if (this.#at === At.Done) return { body: [], done: true, rest: chunk };
    const body: Uint8Array[] = [];
    const len = chunk.length;
    if (len === 0) return { body, done: false };
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, len);
    const startedAfterCr = this.#at === At.Cr;

    // 1. Octets pending from the previous chunk, and the first line start this chunk can hold.
    let runStart = 0;
    let lineStart = -1;
    let end = -1;
    switch (this.#at) {
      case At.DotCr:
        if (buf[0] === LF) {
          this.#at = At.Done;
          return this.#finish(body, buf, 0, chunk, 1, startedAfterCr);
        }
        // The held-back CR is body after all, and bare: the octet after it is not LF.
        this.#bareCr = true;
        this.#emit(body, Uint8Array.of(CR));
        break;
      case At.Dot:
        if (buf[0] === CR) {
          if (len === 1) {
            this.#at = At.DotCr;
            return { body, done: false };
          }
          if (buf[1] === LF) {
            this.#at = At.Done;
            return this.#finish(body, buf, 0, chunk, 2, startedAfterCr);
          }
        }
        break;
      case At.LineStart:
        lineStart = 0;
        break;
      case At.Cr:
        if (buf[0] === LF) lineStart = 1;
        break;
      default:
        break;
    }
    this.#at = At.Text;

    // 2. Every later line start is found by searching for CRLF "." natively.
    for (;;) {
      let dot: number;
      if (lineStart !== -1) {
        if (lineStart === len) {
          this.#at = At.LineStart;
          end = len;
          break;
        }
        dot = buf[lineStart] === DOT ? lineStart : -1;
        lineStart = -1;
        if (dot === -1) continue;
      } else {
        const hit = buf.indexOf(CRLF_DOT, runStart);
        if (hit === -1) break;
        dot = hit + 2;
      }
      this.#emit(body, chunk.subarray(runStart, dot));
      runStart = dot + 1;
      if (dot + 1 === len) {
        this.#at = At.Dot;
        end = dot;
        break;
      }
      if (buf[dot + 1] !== CR) continue;
      if (dot + 2 === len) {
        this.#at = At.DotCr;
        end = dot;
        runStart = len;
        break;
      }
      if (buf[dot + 2] === LF) {
        this.#at = At.Done;
        return this.#finish(body, buf, dot, chunk, dot + 3, startedAfterCr);
      }
    }

    if (end === -1) {
      // No stop: the whole chunk is body. Note whether it leaves us after a CR or at a line start.
      end = len;
      const last = buf[len - 1];
      if (last === CR) this.#at = At.Cr;
      else if (last === LF && (len > 1 ? buf[len - 2] === CR : startedAfterCr)) this.#at = At.LineStart;
    }
    this.#emit(body, chunk.subarray(runStart, len));
    this.#scanBare(buf, end, startedAfterCr);
    return { body, done: false };
  }

  /** The terminator ends at `restStart`; the body octets of this chunk lie before `end`. */
  #finish(
    body: Uint8Array[],
    buf: Buffer,
    end: number,
    chunk: Uint8Array,
    restStart: number,
    startedAfterCr: boolean,
  ): DataDecodeResult {
    this.#scanBare(buf, end, startedAfterCr);
    return { body, done: true, rest: chunk.subarray(restStart) };
  }

  /** Count `part` into the size and emit what fits under `maxSize`. */
  #emit(body: Uint8Array[], part: Uint8Array): void {
    const n = part.length;
    if (n === 0) return;
    const room = this.#maxSize - this.#size;
    if (room >= n) body.push(part);
    else if (room > 0) body.push(part.subarray(0, room));
    this.#size += n;
  }

  /**
   * Look for a bare CR or LF among the raw octets `buf[0, end)`. Dropped dots do not matter: a
   * dropped dot follows an LF, so removing it never joins a CR to an LF.
   */
  #scanBare(buf: Buffer, end: number, startedAfterCr: boolean): void {
    const known = (this.#bareCr ? BARE_CR : 0) | (this.#bareLf ? BARE_LF : 0);
    // A CR that ended the previous chunk is bare unless this chunk begins with its LF; the scan
    // judges it too, but only when `end` > 0.
    const found = scanBareLineEnds(buf, end, startedAfterCr, startedAfterCr && buf[0] !== LF ? known | BARE_CR : known);
    this.#bareCr = (found & BARE_CR) !== 0;
    this.#bareLf = (found & BARE_LF) !== 0;
  }
}
