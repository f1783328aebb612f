import { badReply, parseReplyLine, type Reply, type ReplyLine, replyFromLines } from "./reply.js";

const CR = 0x0d;
const LF = 0x0a;

/** RFC 5321 §4.5.3.1.5: "The maximum total length of a reply line including the reply code and the <CRLF> is 512 octets." */
export const MAX_REPLY_LINE_LENGTH = 512;

/** Default bound on the lines of one reply: far above any real EHLO or HELP reply. */
export const MAX_REPLY_LINES = 1000;

export interface ReplyReaderOptions {
  /** Longest accepted line in octets, code and line ending included. Default 512 (RFC 5321 §4.5.3.1.5). */
  readonly maxLineLength?: number;
  /** Most lines accepted in one reply. Default 1000. */
  readonly maxLines?: number;
}

/**
 * Decodes the text of a line. `fatal: false`: a server's invalid UTF-8 becomes U+FFFD instead of
 * an error, the text is only for humans. `ignoreBOM`: keep a leading EF BB BF visible, so that it
 * fails the reply-code check like any other junk instead of vanishing.
 */
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

function checkLimit(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Reads server replies from a byte stream (client side):
 * `Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF`
 * (RFC 5321 §4.2). `push` stores a chunk; `next` returns the next complete reply or `undefined`
 * when it needs more bytes. However the bytes are split into chunks, the replies are the same,
 * so pipelined replies (RFC 2920) are read one after another from one buffer.
 *
 * - Lines end with CRLF; a bare LF also ends a line (its text is the server's business, and a
 *   client that hangs on a broken server helps nobody). A CR before the LF is dropped; any other
 *   CR stays in the text.
 * - Text is decoded as UTF-8 (invalid sequences become U+FFFD) and otherwise not checked.
 * - `next` throws `SmtpSyntaxError("bad-reply")` for a line without a valid reply code or with a
 *   separator other than "-" / SP, for codes that differ within a reply, for a line longer than
 *   `maxLineLength` (found as soon as that many octets are buffered without an LF, so a server
 *   cannot make the client buffer without bound) and for more than `maxLines` lines. After a throw
 *   the reader's state is unspecified: drop the connection.
 *
 * STARTTLS hand-off (RFC 3207): after reading the 220, `takeRest()` returns every byte after that
 * reply. Any byte there was sent before the TLS handshake and must not be trusted as a reply on
 * the protected channel; a client should treat a non-empty rest as an attack and close.
 */
export class ReplyReader {
  readonly #maxLineLength: number;
  readonly #maxLines: number;
  /** Storage: valid bytes are `[#start, #end)`; beyond `#end` is spare room. */
  #buf = new Uint8Array(0);
  /** First byte of the reply being read (everything before it was returned as replies). */
  #start = 0;
  #end = 0;
  /** First byte of the next line to parse. */
  #lineStart = 0;
  /** Where to resume the search for LF, so a line trickling in is not rescanned. */
  #scan = 0;
  /** Lines of the reply being read, parsed but not yet returned. */
  #lines: ReplyLine[] = [];

  /** Throws `RangeError` for a limit that is not a positive integer (a programming error, not a wire one). */
  constructor(options: ReplyReaderOptions = {}) {
    this.#maxLineLength = checkLimit("maxLineLength", options.maxLineLength ?? MAX_REPLY_LINE_LENGTH);
    this.#maxLines = checkLimit("maxLines", options.maxLines ?? MAX_REPLY_LINES);
  }

  /** Store a chunk. Nothing is parsed until `next()`; call it until it returns `undefined`. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#end + chunk.length > this.#buf.length) this.#grow(chunk.length);
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** Make room for `extra` more bytes, dropping the bytes of replies already returned. */
  #grow(extra: number): void {
    const live = this.#end - this.#start;
    // Compact in place only when that frees at least half the storage, else double it: either way
    // the bytes copied stay proportional to the bytes pushed.
    if (live + extra <= this.#buf.length / 2) {
      this.#buf.copyWithin(0, this.#start, this.#end);
    } else {
      const bigger = new Uint8Array(Math.max(2 * (live + extra), 1024));
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = bigger;
    }
    this.#lineStart -= this.#start;
    this.#scan -= this.#start;
    this.#end = live;
    this.#start = 0;
  }

  /** The next complete reply, or `undefined` if more bytes are needed. */
  next(): Reply | undefined {
    for (;;) {
      const found = this.#buf.subarray(this.#scan, this.#end).indexOf(LF);
      if (found < 0) {
        this.#scan = this.#end;
        // Even an LF arriving next would make the line longer than the limit.
        if (this.#end - this.#lineStart >= this.#maxLineLength) throw this.#tooLong();
        return undefined;
      }
      const lf = this.#scan + found;
      const next = lf + 1;
      if (next - this.#lineStart > this.#maxLineLength) throw this.#tooLong();
      const end = lf > this.#lineStart && this.#buf[lf - 1] === CR ? lf - 1 : lf;
      const line = parseReplyLine(decoder.decode(this.#buf.subarray(this.#lineStart, end)));
      const first = this.#lines[0];
      // Checked per line rather than at the end, so a bad stream fails before it fills memory.
      if (first !== undefined && line.code !== first.code) {
        throw badReply(`reply lines carry different codes, ${first.code} and ${line.code} (RFC 5321 §4.2.1)`);
      }
      if (this.#lines.length >= this.#maxLines) {
        throw badReply(`reply has more than ${this.#maxLines} lines`);
      }
      this.#lines.push(line);
      this.#lineStart = next;
      this.#scan = next;
      if (line.last) {
        const reply = replyFromLines(this.#lines);
        this.#lines = [];
        this.#start = next;
        return reply;
      }
    }
  }

  #tooLong() {
    return badReply(`reply line longer than ${this.#maxLineLength} octets (RFC 5321 §4.5.3.1.5)`);
  }

  /**
   * Every byte after the last reply `next()` returned (a partly read reply included), as a copy;
   * the reader is left empty. For handing the connection over after STARTTLS's 220.
   */
  takeRest(): Uint8Array {
    const rest = this.#buf.slice(this.#start, this.#end);
    this.#buf = new Uint8Array(0);
    this.#start = this.#end = this.#lineStart = this.#scan = 0;
    this.#lines = [];
    return rest;
  }
}
