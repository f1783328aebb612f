/**
 * Server bytes → replies, for the probe: like smtp-codec's ReplyReader, but it keeps what the probe
 * reports on — every raw line with its enhanced code, whether a line ended in a bare LF — and it goes
 * on after garbage (one error per bad line or reply) so a check can judge what follows. Pure: no
 * socket, no clock; the same bytes split any way give the same items.
 */
import { parseReplyLine, type ReplyLine, replyFromLines, SmtpSyntaxError } from "@smtpkit/smtp-codec";
import { ProbeError } from "./errors.js";
import type { ProbeReply } from "./types.js";

/** Octets of one reply line before it is called garbage (RFC 5321 §4.5.3.1.5 says 512; servers exceed it). */
export const MAX_REPLY_LINE = 16 * 1024;
/** Lines of one reply before it is called garbage. */
export const MAX_REPLY_LINES = 1000;

export type AssembledItem = { readonly reply: ProbeReply } | { readonly error: ProbeError };

export class ReplyAssembler {
  #pending: Buffer = Buffer.alloc(0);
  /** Dropping the rest of an over-long line, up to its LF (its error was already given). */
  #skipping = false;
  #lines: ReplyLine[] = [];
  #raw: string[] = [];
  #bareLf = false;

  /** `onLine` sees every complete line (for the transcript), good or bad. */
  constructor(private readonly onLine: (line: string, bareLf: boolean) => void = () => undefined) {}

  /** Octets and lines held: a partial line or a reply whose last line has not come. */
  get holding(): number {
    return this.#pending.length + this.#lines.length;
  }

  /** Forget everything held (STARTTLS: nothing sent in clear may be used after the handshake). */
  reset(): void {
    this.#pending = Buffer.alloc(0);
    this.#skipping = false;
    this.#clearReply();
  }

  push(chunk: Uint8Array): AssembledItem[] {
    const out: AssembledItem[] = [];
    let data = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const lf = data.indexOf(0x0a);
      if (lf < 0) break;
      const skipped = this.#skipping;
      this.#skipping = false;
      const crlf = lf > 0 && data[lf - 1] === 0x0d;
      const bytes = data.subarray(0, crlf ? lf - 1 : lf);
      data = data.subarray(lf + 1);
      if (skipped) continue;
      if (lf > MAX_REPLY_LINE) {
        out.push(this.#tooLong());
        continue;
      }
      const item = this.#line(bytes.toString("utf8"), !crlf);
      if (item !== undefined) out.push(item);
    }
    if (data.length > MAX_REPLY_LINE && !this.#skipping) {
      out.push(this.#tooLong());
      this.#skipping = true;
    }
    this.#pending = this.#skipping ? Buffer.alloc(0) : Buffer.from(data);
    return out;
  }

  #tooLong(): AssembledItem {
    this.#clearReply();
    return { error: new ProbeError("bad-reply", `a reply line longer than ${MAX_REPLY_LINE} octets`) };
  }

  #line(line: string, bareLf: boolean): AssembledItem | undefined {
    this.onLine(line, bareLf);
    try {
      const parsed = parseReplyLine(line);
      this.#lines.push(parsed);
      this.#raw.push(line);
      this.#bareLf ||= bareLf;
      if (!parsed.last) {
        if (this.#lines.length < MAX_REPLY_LINES) return undefined;
        this.#clearReply();
        return { error: new ProbeError("bad-reply", `a reply of more than ${MAX_REPLY_LINES} lines`) };
      }
      const reply = replyFromLines(this.#lines);
      const item = { reply: { ...reply, raw: this.#raw, bareLf: this.#bareLf } };
      this.#clearReply();
      return item;
    } catch (err) {
      this.#clearReply();
      const message = SmtpSyntaxError.isInstance(err) ? err.message : String(err);
      return { error: new ProbeError("bad-reply", message, { cause: err }) };
    }
  }

  #clearReply(): void {
    this.#lines = [];
    this.#raw = [];
    this.#bareLf = false;
  }
}
