/**
 * Where `smtpkit send` gets the message: a file, standard input, or a small generated test message.
 * Files and standard input are streamed to the client, never read whole, so a message of any size
 * sends in bounded memory; the octets go out as they are (the client only normalises bare CR/LF
 * and dot-stuffs).
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import type { Readable } from "node:stream";
import { isDomain } from "@smtpkit/smtp-codec";
import { type DataSource, SendUsageError } from "./options.js";

/** Standard input as `send` sees it: a stream, and whether it is a terminal. */
export type Stdin = Readable & { readonly isTTY?: boolean };

export interface MessageSource {
  /** The message, for the client's `message`. */
  readonly message: string | AsyncIterable<Uint8Array>;
  /** Its size in octets when known before sending (for SIZE=). */
  readonly size?: number;
  /** For a file: open it again from the start (direct delivery may send it to several hosts). */
  readonly reopen?: () => Readable;
  /** Release the file, if one was opened. */
  close(): Promise<void>;
}

/** This host's name when it is a usable domain, else "localhost" (used in EHLO and the test message). */
export function localName(): string {
  const name = os.hostname();
  return isDomain(name) ? name : "localhost";
}

/** RFC 5322 §3.3 date-time in UTC: `Sun, 29 Nov 2026 18:25:22 +0000`. */
export function rfc5322Date(date: Date): string {
  // toUTCString gives the same layout with the obsolete zone "GMT" (RFC 5322 §4.3); +0000 is the current form.
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/**
 * The test message sent when there is neither --data nor anything on standard input: the header
 * fields RFC 5322 requires (Date, From) and those a reader expects, and one line of text.
 */
export function testMessage(input: { readonly from: string; readonly to: readonly string[]; readonly name: string; readonly date: Date }): string {
  const from = input.from === "" ? `MAILER-DAEMON@${input.name}` : input.from;
  const id = `${randomBytes(12).toString("hex")}@${input.name}`;
  return [
    `Date: ${rfc5322Date(input.date)}`,
    `From: <${from}>`,
    `To: ${[...new Set(input.to)].map((t) => `<${t}>`).join(",\r\n ")}`,
    "Subject: smtpkit send test message",
    `Message-ID: <${id}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is a test message sent by smtpkit send.",
    "",
  ].join("\r\n");
}

/** The chunks of `stream` with `first` (already read) in front. */
async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let r = await rest.next(); r.done !== true; r = await rest.next()) {
    yield typeof r.value === "string" ? Buffer.from(r.value) : r.value;
  }
}

/**
 * Open the message. A file that cannot be opened is a usage error (exit 1, before any connection).
 * With no --data, standard input is the message unless it is a terminal or ends before its first
 * octet; then the test message is generated.
 */
export async function openMessage(
  source: DataSource,
  stdin: Stdin,
  test: { readonly from: string; readonly to: readonly string[]; readonly name: string },
): Promise<MessageSource> {
  if (source.kind === "file") {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(source.path, "r");
    } catch (error) {
      throw new SendUsageError(`--data: cannot open ${source.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new SendUsageError(`--data: not a file: ${source.path}`);
    }
    const stream = handle.createReadStream({ autoClose: true, highWaterMark: 64 * 1024 });
    return {
      message: stream,
      size: stat.size,
      reopen: () => createReadStream(source.path, { highWaterMark: 64 * 1024 }),
      close: async () => {
        stream.destroy();
      },
    };
  }
  const generated = (): MessageSource => {
    const text = testMessage({ ...test, date: new Date() });
    return { message: text, size: Buffer.byteLength(text), close: async () => undefined };
  };
  if (source.kind === "default" && stdin.isTTY === true) return generated();
  const chunks = stdin[Symbol.asyncIterator]() as AsyncIterator<Uint8Array | string>;
  const first = await chunks.next();
  if (first.done === true) {
    if (source.kind === "default") return generated();
    // `--data -` with nothing on standard input: an empty message, as asked.
    return { message: "", size: 0, close: async () => undefined };
  }
  const head = typeof first.value === "string" ? Buffer.from(first.value) : first.value;
  return {
    message: prepend(head, chunks),
    close: async () => {
      stdin.destroy();
    },
  };
}
