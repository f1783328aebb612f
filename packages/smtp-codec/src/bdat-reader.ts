/**
 * Reader of one BDAT chunk's octets.
 *
 *     bdat-cmd   ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF      (RFC 3030 §2)
 *     chunk-size ::= 1*DIGIT
 *     end-marker ::= "LAST"
 *
 * RFC 3030 §2: "The first argument indicates the length, in octets, of the binary data chunk."
 * The chunk follows the CRLF of the command line and is exactly that many octets: no
 * dot-stuffing, no terminator, no line semantics — CR, LF and "." are plain data. Whatever follows
 * the chunk is the next command (pipelined) and comes back as `rest`.
 */

export type BdatReadResult =
  | { readonly data: Uint8Array[]; readonly done: false }
  | { readonly data: Uint8Array[]; readonly done: true; readonly rest: Uint8Array };

/**
 * Takes exactly `size` octets from the stream, as views (`subarray`) of the pushed chunks.
 * `new BdatReader(0)` (`BDAT 0 LAST`, RFC 3030 §4.2) is done at once. Memory: one counter.
 */
export class BdatReader {
  #remaining: number;

  /** `size` is the chunk-size of the BDAT command (a safe integer >= 0). */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`BDAT chunk size must be a safe integer >= 0, got ${size}`);
    }
    this.#remaining = size;
  }

  /** Octets of the chunk still to come. */
  get remaining(): number {
    return this.#remaining;
  }

  /** All octets of the chunk have been read. */
  get done(): boolean {
    return this.#remaining === 0;
  }

  /** Take this chunk's share of the octets; once done, the bytes after them are `rest`. */
  push(chunk: Uint8Array): BdatReadResult {
    const take = Math.min(this.#remaining, chunk.length);
    const data = take > 0 ? [take === chunk.length ? chunk : chunk.subarray(0, take)] : [];
    this.#remaining -= take;
    if (this.#remaining > 0) return { data, done: false };
    return { data, done: true, rest: take === 0 ? chunk : chunk.subarray(take) };
  }
}
