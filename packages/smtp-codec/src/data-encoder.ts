import { Buffer } from "node:buffer";

/**
 * Incremental encoder of mail data for DATA (the sending side of `DataDecoder`).
 *
 * RFC 5321 §2.3.8: "SMTP client implementations MUST NOT transmit these characters [bare CR or
 * LF] except when they are intended as line terminators and then MUST, as indicated above,
 * transmit them only as a <CRLF> sequence."
 * RFC 5321 §4.5.2: "Before sending a line of mail text, the SMTP client checks the first character
 * of the line. If it is a period, one additional period is inserted at the beginning of the line."
 * RFC 5321 §4.1.1.4: the data end with "<CRLF>.<CRLF>", whose first CRLF ends the last line; "An
 * extra <CRLF> MUST NOT be added", except that a body whose last line does not end in CRLF gets
 * one, "in order to have the receiving SMTP server recognize the end of data condition".
 *
 * Decisions: every bare CR and every bare LF becomes CRLF (so "\r\r\n" is two line breaks and
 * "\n\r" too); a line start is the start of the data or the octet after any line break, so a "."
 * after a normalised bare LF is stuffed as well. Nothing is rejected: any octets can be sent.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Encodes a message for DATA: normalises line breaks to CRLF, dot-stuffs, and `end()` appends the
 * terminator. A chunk that needs no edit comes back as a view (`subarray`) of itself, so it must
 * stay unchanged until written; a chunk with edits comes back as one new buffer (one copy beats
 * many tiny writes). Memory: two flags between pushes; a push allocates at most twice its chunk
 * plus two octets.
 */
export class DataEncoder {
  /** The next octet begins a line: start of the data, or just after a (normalised) line break. */
  #lineStart = true;
  /** The previous chunk ended with a CR; whether an LF follows it is not known yet. */
  #pendingCr = false;
  #ended = false;

  /** Encode the next chunk of the message; returns wire bytes ready to send (possibly none). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#ended) throw new Error("DataEncoder: push() after end()");
    const len = chunk.length;
    if (len === 0) return [];
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, len);
    const out = new Edited(chunk);
    let i = 0;
    let end = len;
    if (this.#pendingCr) {
      // A CR is a line break whether or not an LF follows; the CR itself was not yet sent.
      this.#pendingCr = false;
      this.#lineStart = true;
      out.insert(0, CR);
      if (buf[0] === LF) i = 1;
      else out.insert(0, LF);
    }
    let cr = buf.indexOf(CR, i);
    let lf = buf.indexOf(LF, i);
    for (;;) {
      if (this.#lineStart) {
        if (i === len) break;
        this.#lineStart = false;
        // Stuff: one more "." before the line's own.
        if (buf[i] === DOT) out.insert(i, DOT);
      }
      // -1 stays valid to the end of the chunk; a position behind `i` is refreshed.
      if (cr !== -1 && cr < i) cr = buf.indexOf(CR, i);
      if (lf !== -1 && lf < i) lf = buf.indexOf(LF, i);
      if (cr === -1 && lf === -1) break;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        if (cr + 1 === len) {
          end = cr;
          this.#pendingCr = true;
          break;
        }
        if (buf[cr + 1] === LF) {
          i = cr + 2;
        } else {
          // Bare CR: complete it to CRLF.
          out.insert(cr + 1, LF);
          i = cr + 1;
        }
      } else {
        // An LF found before any CR is bare (a CR just before it would have been found first).
        out.insert(lf, CR);
        i = lf + 1;
      }
      this.#lineStart = true;
    }
    return out.result(end);
  }

  /**
   * The last bytes to send: a CR held back from the last chunk, CRLF when the message does not
   * end with a line break, and the terminator "." CRLF. An empty message gives ".\r\n".
   */
  end(): Uint8Array[] {
    if (this.#ended) throw new Error("DataEncoder: end() called twice");
    this.#ended = true;
    if (this.#pendingCr || !this.#lineStart) return [Uint8Array.of(CR, LF, DOT, CR, LF)];
    return [Uint8Array.of(DOT, CR, LF)];
  }
}

/** One chunk with octets inserted: nothing is copied until the first insertion. */
class Edited {
  readonly #chunk: Uint8Array;
  #out: Uint8Array | undefined;
  #written = 0;
  /** Octets of the chunk before this index are in `#out`. */
  #copied = 0;

  constructor(chunk: Uint8Array) {
    this.#chunk = chunk;
  }

  /** Insert `octet` before `chunk[at]` (after any earlier insertion at the same place). */
  insert(at: number, octet: number): void {
    // Each input octet yields at most two output octets, plus the CR LF of a held-back CR.
    this.#out ??= new Uint8Array(2 * this.#chunk.length + 2);
    this.#copyTo(at);
    this.#out[this.#written++] = octet;
  }

  /** The encoded chunk up to `end` (the octets after it are held back). */
  result(end: number): Uint8Array[] {
    if (this.#out === undefined) {
      if (end === 0) return [];
      return [end === this.#chunk.length ? this.#chunk : this.#chunk.subarray(0, end)];
    }
    this.#copyTo(end);
    return [this.#out.subarray(0, this.#written)];
  }

  #copyTo(at: number): void {
    if (at > this.#copied && this.#out !== undefined) {
      this.#out.set(this.#chunk.subarray(this.#copied, at), this.#written);
      this.#written += at - this.#copied;
      this.#copied = at;
    }
  }
}

/**
 * Every bare CR and bare LF replaced by CRLF; CRLF pairs unchanged (RFC 5321 §2.3.8). A plain
 * octet-by-octet reference; `DataEncoder` does the same work incrementally.
 */
export function normalizeLineEndings(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === CR || b === LF) {
      out[o++] = CR;
      out[o++] = LF;
      if (b === CR && bytes[i + 1] === LF) i++;
    } else {
      out[o++] = b;
    }
  }
  return out.slice(0, o);
}
