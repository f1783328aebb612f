/** Transcripts and the probe's budget: what was sent and seen, and how much the probe may send. */
import { ProbeError } from "./errors.js";
import type { TranscriptLine } from "./types.js";

/** Lines kept per check; beyond, one "truncated" note. A transcript is evidence, not a capture. */
const MAX_LINES = 200;
/** Characters kept per line. */
const MAX_TEXT = 200;

/** Printable form of wire text: CR, LF, NUL and other controls escaped, long text cut with its length. */
export function showWire(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\r") out += "\\r";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\\") out += "\\\\";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  if (out.length <= MAX_TEXT) return out;
  return `${out.slice(0, MAX_TEXT)}… (${Buffer.byteLength(text)} octets)`;
}

/** The transcript of one check, across its connections. */
export class Transcript {
  readonly lines: TranscriptLine[] = [];
  #dropped = 0;

  add(conn: number, dir: TranscriptLine["dir"], text: string): void {
    if (this.lines.length >= MAX_LINES) {
      this.#dropped++;
      return;
    }
    this.lines.push({ conn, dir, text });
  }

  /** The lines, with a note when some were dropped. */
  finish(): TranscriptLine[] {
    if (this.#dropped > 0) this.lines.push({ conn: 0, dir: "-", text: `(${this.#dropped} more lines not kept)` });
    return this.lines;
  }
}

/** Connections and octets the whole probe may use (the probe itself must be safe to point anywhere). */
export class Budget {
  connections = 0;
  bytesSent = 0;

  constructor(
    readonly maxConnections: number,
    readonly maxBytes: number,
  ) {}

  takeConnection(): void {
    if (this.connections >= this.maxConnections) {
      throw new ProbeError("budget", `the probe may open at most ${this.maxConnections} connections`);
    }
    this.connections++;
  }

  takeBytes(n: number): void {
    if (this.bytesSent + n > this.maxBytes) {
      throw new ProbeError("budget", `the probe may send at most ${this.maxBytes} octets`);
    }
    this.bytesSent += n;
  }
}
