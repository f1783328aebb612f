/**
 * Outgoing replies for RFC 2920 pipelining. Replies are appended in command order and written
 * in one `write` per group: when the server has processed everything the client sent so far,
 * before it waits for data (354, 334, STARTTLS's 220), and before it closes. A reply is therefore
 * never sent before the hooks of earlier commands have finished, and a pipelined group costs one
 * syscall instead of one per command.
 */
import { formatReply } from "@smtpkit/smtp-codec";
import type { Reply } from "@smtpkit/smtp-codec";

const LOCAL_ERROR = "451 4.3.0 Requested action aborted: local error in processing\r\n";
const LOCAL_ERROR_BARE = "451 Requested action aborted: local error in processing\r\n";

/**
 * A reply's wire form, formatted once: the text, and the same as bytes, so a lone constant reply
 * goes to the socket as a ready Buffer (no string encoding per write).
 */
export interface Wire {
  readonly text: string;
  readonly bytes: Buffer;
}

export function wire(text: string): Wire {
  // As socket.write(text) would encode it.
  return { text, bytes: Buffer.from(text, "utf8") };
}

/** Frozen replies (the named constants) are formatted once per process. */
const formatted = new WeakMap<Reply, Wire>();
const bare = new WeakMap<Reply, Wire>();

/** The wire form of `reply`, with or without its enhanced status code (RFC 2034): cached for frozen replies. */
function wireOf(reply: Reply, enhanced: boolean): Wire | string {
  const cache = enhanced ? formatted : bare;
  const hit = cache.get(reply);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    if (enhanced || reply.enhanced === undefined) text = formatReply(reply);
    else text = formatReply({ code: reply.code, lines: reply.lines });
  } catch {
    // A hook's reply that cannot go on the wire (bad code, CR/LF or non-ASCII text) must not
    // break the session: it becomes a local error.
    return enhanced ? LOCAL_ERROR : LOCAL_ERROR_BARE;
  }
  if (!Object.isFrozen(reply)) return text;
  const w = wire(text);
  cache.set(reply, w);
  return w;
}

/** The wire text of `reply`, with or without its enhanced status code (RFC 2034). */
export function wireText(reply: Reply, enhanced: boolean): string {
  const w = wireOf(reply, enhanced);
  return typeof w === "string" ? w : w.text;
}

export interface ReplySink {
  write(chunk: string | Uint8Array): void;
}

export class ReplyQueue {
  #pending = "";
  /** `#pending` as bytes, when it is exactly one preformatted reply (the common case without pipelining). */
  #bytes: Uint8Array | undefined;
  readonly #enhanced: boolean;

  constructor(enhancedStatusCodes: boolean) {
    this.#enhanced = enhancedStatusCodes;
  }

  /** Queue `reply` after the replies already queued. */
  add(reply: Reply): void {
    const w = wireOf(reply, this.#enhanced);
    if (typeof w === "string") this.#add(w, undefined);
    else this.#add(w.text, w.bytes);
  }

  /** Queue preformatted wire text. */
  addText(text: string): void {
    this.#add(text, undefined);
  }

  /** Queue a preformatted reply (the greeting, EHLO replies cached per session shape). */
  addWire(w: Wire): void {
    this.#add(w.text, w.bytes);
  }

  #add(text: string, bytes: Uint8Array | undefined): void {
    this.#bytes = this.#pending === "" ? bytes : undefined;
    this.#pending += text;
  }

  get empty(): boolean {
    return this.#pending === "";
  }

  /** Write every queued reply in one call. */
  flush(sink: ReplySink): void {
    if (this.#pending === "") return;
    const out = this.#bytes ?? this.#pending;
    this.#pending = "";
    this.#bytes = undefined;
    sink.write(out);
  }

  /** Drop queued replies (the connection is gone). */
  clear(): void {
    this.#pending = "";
    this.#bytes = undefined;
  }
}
