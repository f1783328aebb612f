/**
 * Incremental reader of SMTP command (or reply) lines.
 *
 *     CRLF = CR LF                                    (RFC 5234 §B.1)
 *
 * RFC 5321 §2.3.8: lines are "terminated by the sequence ASCII character "CR" (hex value 0D)
 * followed immediately by ASCII character "LF" (hex value 0A)" and "Conforming implementations
 * MUST NOT recognize or generate any other character or character sequence as a line terminator."
 * RFC 5321 §4.5.3.1.4: "The maximum total length of a command line including the command word and
 * the <CRLF> is 512 octets." (§4.5.3.1.5: reply lines the same; §4.5.3.1.6: text lines 1000.)
 *
 * The reader splits at LF and *reports* how each line ended instead of deciding for the server:
 * `ending: "LF"` marks a bare-LF line and `bareCr` a CR inside the line, so the server can answer
 * 500 (or, as an opt-in, tolerate it) — a silent acceptance is what SMTP smuggling builds on.
 */

const CR = 0x0d;
const LF = 0x0a;

/** Default limit: RFC 5321 §4.5.3.1.4, a command line including its CRLF. */
export const MAX_COMMAND_LINE_LENGTH = 512;

/** One line as read from the wire. */
export interface LineResult {
  /**
   * The line without its terminator (without the CR of a CRLF ending). For a too-long line, its
   * first `maxLineLength` octets. A view into the pushed bytes when the line lay within one chunk.
   */
  readonly line: Uint8Array;
  /** `"CRLF"` for a conforming line; `"LF"` when the LF was not preceded by CR (RFC 5321 §2.3.8). */
  readonly ending: "CRLF" | "LF";
  /** A CR not followed by LF occurs inside the line (anywhere in it, also in a discarded part). */
  readonly bareCr: boolean;
  /** The line with its terminator was longer than `maxLineLength`; its excess was discarded. */
  readonly tooLong: boolean;
}

export interface LineReaderOptions {
  /**
   * Longest accepted line in octets, terminator included (RFC 5321 §4.5.3.1.4: 512 for commands,
   * §4.5.3.1.6: 1000 for text lines). Default 512.
   */
  readonly maxLineLength?: number;
}

/**
 * Splits a byte stream into lines. `push` stores a chunk without looking at it; `next` returns
 * one line at a time or `undefined` when it needs more bytes. The same input gives the same lines
 * however it is split into chunks.
 *
 * Hand-off: after a line that switches the protocol (DATA's 354, BDAT, STARTTLS) the server calls
 * `takeRest()` and gives those bytes to the next consumer; they are never scanned as lines.
 *
 * Memory: a line that is not yet complete is held in at most `maxLineLength` octets; beyond that
 * the rest of the line is dropped while it streams past, until its LF. Chunks pushed but not yet
 * read with `next()` are held as given, so call `next()` until it returns `undefined` after each push.
 */
export class LineReader {
  readonly #max: number;
  /** Chunks pushed and not yet scanned; the first is scanned from `#pos`. */
  #queue: Uint8Array[] = [];
  #pos = 0;
  #queued = 0;
  /** The start of a line that spans chunks: its raw octets (CR included), at most `#max` kept. */
  #partial: Uint8Array | undefined;
  #partialLen = 0;
  /** Octets of the current spanning line seen so far, including those discarded. */
  #rawLen = 0;
  /** The current line passed the limit: its octets after the first `#max` are being discarded. */
  #discarding = false;
  /** While discarding: a bare CR was seen, and whether the last octet seen was a CR. */
  #sawBareCr = false;
  #lastCr = false;

  constructor(options: LineReaderOptions = {}) {
    const max = options.maxLineLength ?? MAX_COMMAND_LINE_LENGTH;
    // 2 is the shortest limit that still admits a line (an empty one ended by CRLF).
    if (!Number.isSafeInteger(max) || max < 2) {
      throw new RangeError(`maxLineLength must be an integer >= 2, got ${max}`);
    }
    this.#max = max;
  }

  /** Octets held by the reader and not yet returned as lines: what `takeRest()` would return. */
  get buffered(): number {
    return (this.#discarding ? 0 : this.#partialLen) + this.#queued;
  }

  /** Add bytes from the wire. The reader keeps a reference: do not reuse the chunk's memory. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
  }

  /** The next complete line, or `undefined` when more bytes are needed. */
  next(): LineResult | undefined {
    for (;;) {
      const chunk = this.#queue[0];
      if (chunk === undefined) return undefined;
      const start = this.#pos;
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      const consumed = (lf === -1 ? chunk.length : lf + 1) - start;
      this.#queued -= consumed;
      if (start + consumed === chunk.length) {
        this.#queue.shift();
        this.#pos = 0;
      } else {
        this.#pos = start + consumed;
      }
      if (lf !== -1 && this.#rawLen === 0) return this.#whole(chunk, start, lf);
      this.#absorb(chunk, start, end);
      if (lf !== -1) return this.#finishSpanning();
    }
  }

  /**
   * Remove and return every byte not yet returned as a line — the start of an incomplete line
   * included — so another consumer (DataDecoder, BdatReader, a TLS socket) can take over the stream.
   * The reader is left empty, at the start of a line. An incomplete line already past the limit is
   * dropped: its excess was never kept.
   */
  takeRest(): Uint8Array {
    const parts: Uint8Array[] = [];
    if (!this.#discarding && this.#partial !== undefined && this.#partialLen > 0) {
      parts.push(this.#partial.subarray(0, this.#partialLen));
    }
    const [head, ...tail] = this.#queue;
    if (head !== undefined) parts.push(head.subarray(this.#pos), ...tail);
    this.#queue = [];
    this.#pos = 0;
    this.#queued = 0;
    this.#resetLine();
    this.#partial = undefined;
    return concat(parts);
  }

  /** A line that lies within one chunk: returned as a view, no copy. */
  #whole(chunk: Uint8Array, start: number, lf: number): LineResult {
    const crlf = lf > start && chunk[lf - 1] === CR;
    const contentEnd = crlf ? lf - 1 : lf;
    const content = chunk.subarray(start, contentEnd);
    // Total length with terminator is (lf - start) + 1; the limit counts the terminator.
    const tooLong = lf - start + 1 > this.#max;
    return {
      line: tooLong ? content.subarray(0, this.#max) : content,
      ending: crlf ? "CRLF" : "LF",
      bareCr: content.indexOf(CR) !== -1,
      tooLong,
    };
  }

  /** Take `chunk[from, to)` (no LF inside) as the continuation of a line that spans chunks. */
  #absorb(chunk: Uint8Array, from: number, to: number): void {
    if (to === from) return;
    this.#rawLen += to - from;
    if (this.#discarding) {
      this.#scanDiscarded(chunk, from, to);
      return;
    }
    const take = Math.min(this.#max - this.#partialLen, to - from);
    const partial = this.#reserve(take);
    partial.set(chunk.subarray(from, from + take), this.#partialLen);
    this.#partialLen += take;
    // A line of `#max` raw octets plus at least its LF is already too long: stop keeping it.
    if (this.#partialLen === this.#max) {
      this.#discarding = true;
      this.#scanDiscarded(partial, 0, this.#max);
      this.#scanDiscarded(chunk, from + take, to);
    }
  }

  /** The spanning-line buffer with room for `n` more octets; grows by doubling up to `#max`. */
  #reserve(n: number): Uint8Array {
    const need = this.#partialLen + n;
    const old = this.#partial;
    if (old !== undefined && old.length >= need) return old;
    const size = Math.min(this.#max, Math.max(need, 2 * (old?.length ?? 0), 128));
    const grown = new Uint8Array(size);
    if (old !== undefined) grown.set(old.subarray(0, this.#partialLen));
    this.#partial = grown;
    return grown;
  }

  /** Track bare CRs in octets that are not kept, so `bareCr` covers the whole line. */
  #scanDiscarded(bytes: Uint8Array, from: number, to: number): void {
    if (to === from) return;
    // The previous last octet was a CR, and an octet other than LF follows it.
    if (this.#lastCr) this.#sawBareCr = true;
    if (!this.#sawBareCr) {
      const cr = bytes.subarray(from, to - 1).indexOf(CR);
      if (cr !== -1) this.#sawBareCr = true;
    }
    this.#lastCr = bytes[to - 1] === CR;
  }

  /** The LF of a line that spans chunks has been reached. */
  #finishSpanning(): LineResult {
    const partial = this.#partial ?? new Uint8Array(0);
    let result: LineResult;
    if (this.#discarding) {
      const crlf = this.#lastCr;
      const contentLen = this.#rawLen - (crlf ? 1 : 0);
      result = {
        line: partial.subarray(0, Math.min(this.#max, contentLen)),
        ending: crlf ? "CRLF" : "LF",
        bareCr: this.#sawBareCr,
        tooLong: true,
      };
    } else {
      const raw = this.#partialLen;
      const crlf = raw > 0 && partial[raw - 1] === CR;
      const content = partial.subarray(0, crlf ? raw - 1 : raw);
      // Not discarding means raw < max, so raw + LF fits the limit.
      result = { line: content, ending: crlf ? "CRLF" : "LF", bareCr: content.indexOf(CR) !== -1, tooLong: false };
    }
    // The returned line is a view of the buffer: give the buffer away instead of copying it.
    this.#partial = undefined;
    this.#resetLine();
    return result;
  }

  #resetLine(): void {
    this.#partialLen = 0;
    this.#rawLen = 0;
    this.#discarding = false;
    this.#sawBareCr = false;
    this.#lastCr = false;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
