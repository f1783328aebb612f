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

/** Frozen replies (the named constants) are formatted once per process. */
const formatted = new WeakMap<Reply, string>();
const bare = new WeakMap<Reply, string>();

/** The wire text of `reply`, with or without its enhanced status code (RFC 2034). */
export function wireText(reply: Reply, enhanced: boolean): string {
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
  if (Object.isFrozen(reply)) cache.set(reply, text);
  return text;
}

export interface ReplySink {
  write(text: string): void;
}

export class ReplyQueue {
  #pending = "";
  readonly #enhanced: boolean;

  constructor(enhancedStatusCodes: boolean) {
    this.#enhanced = enhancedStatusCodes;
  }

  /** Queue `reply` after the replies already queued. */
  add(reply: Reply): void {
    this.#pending += wireText(reply, this.#enhanced);
  }

  /** Queue preformatted wire text (EHLO replies, cached per session shape). */
  addText(text: string): void {
    this.#pending += text;
  }

  get empty(): boolean {
    return this.#pending === "";
  }

  /** Write every queued reply in one call. */
  flush(sink: ReplySink): void {
    if (this.#pending === "") return;
    const text = this.#pending;
    this.#pending = "";
    sink.write(text);
  }

  /** Drop queued replies (the connection is gone). */
  clear(): void {
    this.#pending = "";
  }
}
