/** Message input in every accepted form, read as a stream of byte chunks. */
import { normalizeLineEndings } from "@smtpkit/smtp-codec";
import type { MessageInput } from "./types.js";

/** The whole message as bytes when it was given whole (string, Buffer, Uint8Array), else undefined. */
export function wholeMessage(input: MessageInput): Uint8Array | undefined {
  if (typeof input === "string") return Buffer.from(input, "utf8");
  if (input instanceof Uint8Array) return input;
  return undefined;
}

/** The message as non-empty chunks; a stream is read as it is consumed, never buffered whole. */
export async function* messageChunks(input: MessageInput): AsyncGenerator<Uint8Array> {
  const whole = wholeMessage(input);
  if (whole !== undefined) {
    if (whole.length > 0) yield whole;
    return;
  }
  for await (const chunk of input as AsyncIterable<unknown>) {
    let bytes: Uint8Array;
    if (typeof chunk === "string") bytes = Buffer.from(chunk, "utf8");
    else if (chunk instanceof Uint8Array) bytes = chunk;
    else throw new TypeError("message chunks must be strings or Uint8Arrays");
    if (bytes.length > 0) yield bytes;
  }
}

/**
 * Chunks with one of look-ahead, so the sender knows which chunk is the last (BDAT … LAST) without
 * an empty final BDAT. Holds at most one chunk.
 */
export class Lookahead {
  readonly #it: AsyncIterator<Uint8Array>;
  #held: Uint8Array | undefined;
  #started = false;

  constructor(input: MessageInput) {
    this.#it = messageChunks(input);
  }

  /** The next chunk and whether it is the last; undefined when there is none (an empty message). */
  async next(): Promise<{ chunk: Uint8Array; last: boolean } | undefined> {
    if (!this.#started) {
      this.#started = true;
      this.#held = await this.#pull();
    }
    const chunk = this.#held;
    if (chunk === undefined) return undefined;
    this.#held = await this.#pull();
    return { chunk, last: this.#held === undefined };
  }

  async #pull(): Promise<Uint8Array | undefined> {
    const r = await this.#it.next();
    return r.done === true ? undefined : r.value;
  }
}

/** True when any octet has the high bit set (the message needs 8BITMIME, RFC 6152). */
export function hasEightBit(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) > 0x7f) return true;
  return false;
}

/** True when the message cannot travel as text: NUL octets (RFC 5321 §4.5.2 forbids them in DATA). */
export function hasNul(bytes: Uint8Array): boolean {
  return bytes.indexOf(0) !== -1;
}

/**
 * The queue or message id in a final 250, when the server gave one: Postfix "queued as X",
 * Exim/others "id=X", or a Message-ID in angle brackets.
 */
export function messageIdFrom(lines: readonly string[]): string | undefined {
  const text = lines.join(" ");
  const m =
    /(?:queued|stored) as ([^\s;,]+)/i.exec(text) ?? /\bid=([^\s;,]+)/i.exec(text) ?? /<([^<>\s]+@[^<>\s]+)>/.exec(text);
  return m?.[1];
}

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Uint8Array.of(CR, LF);

/**
 * A text body (7BIT, 8BITMIME) sent with BDAT in canonical form, as `DataEncoder` gives it for DATA
 * (RFC 5321 §2.3.8: a client sends CR and LF only together; RFC 3030 §3: BDAT does not lift that for
 * text bodies): every bare CR or LF becomes CRLF, and a non-empty message that does not end with
 * CRLF gets one. So the bytes a server stores do not depend on whether CHUNKING was offered, and no
 * bare line end ever reaches a server that might read it as a line break. A CR at the end of a chunk
 * waits for the next one, to see whether its LF follows.
 */
export async function* canonicalChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let heldCr = false;
  let endsWithCrlf = true;
  for await (const chunk of chunks) {
    let input = chunk;
    if (heldCr) {
      input = Buffer.concat([CRLF.subarray(0, 1), chunk]);
      heldCr = false;
    }
    if (input[input.length - 1] === CR) {
      heldCr = true;
      input = input.subarray(0, input.length - 1);
    }
    if (input.length === 0) continue;
    const out = normalizeLineEndings(input);
    endsWithCrlf = out.length >= 2 && out[out.length - 2] === CR && out[out.length - 1] === LF;
    yield out;
  }
  if (heldCr || !endsWithCrlf) yield CRLF;
}
