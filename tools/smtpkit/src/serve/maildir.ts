/**
 * The Maildir store of `smtpkit serve`: each accepted message once per recipient at
 * `ROOT/<mailbox name>/new/<unique name>` (https://cr.yp.to/proto/maildir.html).
 *
 * Durability before acknowledgement: every copy is written in `tmp/`, fsynced and closed, then
 * renamed into `new/`, then each `new/` directory is fsynced, and only then does `deliver()`
 * resolve, so the server's 250 follows a message that survives a crash or power loss. A directory
 * created on first use is fsynced into its parent too.
 *
 * Memory is bounded whatever the message size: the stream is written to the first recipient's
 * file as it arrives (chunks gathered up to 64 KiB per write), and every other recipient's copy is
 * its own trace header followed by the body read back from that first file, 64 KiB at a time.
 * Copies, not hard links: each copy starts with a `Received:` field naming its own recipient
 * (RFC 5321 §4.4: a FOR clause holds exactly one path), so the files differ; and a hard link
 * would let a change made in one user's mailbox show in another's.
 *
 * Unique names follow the Maildir rules: `<seconds>.M<microseconds>P<pid>Q<n>R<random>.<host>`,
 * where n counts the files this process has written and R is 32 random bits, so that two
 * processes that reuse a pid (or `--workers` sharing a directory) within a microsecond still
 * differ; in the host name `/` becomes `\057` and `:` becomes `\072`, as the rules ask.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import path from "node:path";

/**
 * Mailboxes remembered as existing. A catch-all server sees as many mailboxes as clients invent,
 * so the memory is bounded: past this many the set starts over (costing a few mkdir calls).
 */
const READY_CACHE_LIMIT = 10_000;

/** Gather the stream's chunks up to this much before each write: fewer system calls, bounded memory. */
const WRITE_BATCH_OCTETS = 64 * 1024;

/** One copy to store: the mailbox directory name (see `mailbox-name.ts`) and its header octets. */
export interface MaildirCopy {
  readonly mailbox: string;
  /** Written before the message: `Return-Path:` and `Received:` for this recipient. */
  readonly header: Uint8Array;
}

/** Where a copy ended up. */
export interface StoredCopy {
  readonly mailbox: string;
  /** Absolute path of the file in `new/`. */
  readonly file: string;
}

export interface MaildirOptions {
  /** The Maildir root (`--maildir`); created on first delivery if missing. */
  readonly root: string;
  /** This machine's name, the last part of every unique name. */
  readonly host: string;
  /** Defaults to `process.pid`. */
  readonly pid?: number;
  /** Wall clock in microseconds since the epoch; defaults to the system clock. */
  readonly clockMicros?: () => bigint;
}

/** The host part of a unique name: `/` and `:` escaped as the Maildir rules ask. */
export function maildirHostPart(host: string): string {
  return host.replaceAll("/", "\\057").replaceAll(":", "\\072");
}

function systemClockMicros(): bigint {
  // performance.timeOrigin + now() has sub-millisecond resolution and follows the wall clock.
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write every chunk of `message` to `file`, gathering small chunks; returns the octets written. */
async function writeStream(file: FileHandle, message: AsyncIterable<Uint8Array>): Promise<number> {
  let batch: Uint8Array[] = [];
  let batched = 0;
  let total = 0;
  for await (const chunk of message) {
    batch.push(chunk);
    batched += chunk.length;
    if (batched >= WRITE_BATCH_OCTETS) {
      await writeAll(file, batch);
      total += batched;
      batch = [];
      batched = 0;
    }
  }
  if (batched > 0) await writeAll(file, batch);
  return total + batched;
}

/** `writev` until every octet is written (a short write is legal, if rare, for regular files). */
async function writeAll(file: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks;
  for (;;) {
    const expected = pending.reduce((n, c) => n + c.length, 0);
    if (expected === 0) return;
    const { bytesWritten } = await file.writev(pending);
    if (bytesWritten === expected) return;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const c of pending) {
      if (skip >= c.length) skip -= c.length;
      else {
        rest.push(skip > 0 ? c.subarray(skip) : c);
        skip = 0;
      }
    }
    pending = rest;
  }
}

/** Copy `length` octets of `from` starting at `offset` to the end of `to`. */
async function copyRange(from: FileHandle, offset: number, length: number, to: FileHandle): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(WRITE_BATCH_OCTETS, Math.max(length, 1)));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await from.read(buffer, 0, Math.min(buffer.length, length - done), offset + done);
    if (bytesRead === 0) throw new Error("the first copy is shorter than what was written to it");
    await writeAll(to, [buffer.subarray(0, bytesRead)]);
    done += bytesRead;
  }
}

export class MaildirStore {
  readonly root: string;
  readonly #host: string;
  readonly #pid: number;
  readonly #clock: () => bigint;
  #counter = 0;
  /** Mailboxes whose tmp/new/cur are known to exist, so the common case costs no mkdir. */
  readonly #ready = new Set<string>();

  constructor(options: MaildirOptions) {
    this.root = path.resolve(options.root);
    this.#host = maildirHostPart(options.host);
    this.#pid = options.pid ?? process.pid;
    this.#clock = options.clockMicros ?? systemClockMicros;
  }

  /** A fresh Maildir unique name (see the module comment). */
  uniqueName(): string {
    const micros = this.#clock();
    const seconds = micros / 1_000_000n;
    const usec = micros % 1_000_000n;
    const random = randomBytes(4).toString("hex");
    return `${seconds}.M${usec}P${this.#pid}Q${this.#counter++}R${random}.${this.#host}`;
  }

  /** Path of a mailbox directory; `mailbox` must be one safe component (`mailbox-name.ts`). */
  mailboxPath(mailbox: string): string {
    if (mailbox.length === 0 || mailbox === "." || mailbox === ".." || mailbox.includes("/") || mailbox.includes("\0")) {
      throw new RangeError("a mailbox name must be one path component");
    }
    return path.join(this.root, mailbox);
  }

  /** Create `ROOT/<mailbox>/{tmp,new,cur}` when missing, fsyncing each parent that got a new entry. */
  async #ensureMailbox(mailbox: string): Promise<string> {
    const dir = this.mailboxPath(mailbox);
    if (this.#ready.has(mailbox)) return dir;
    const createdRoot = await mkdir(this.root, { recursive: true });
    if (createdRoot !== undefined) {
      // Each directory from the first one created down to the root is a new entry in its parent.
      for (let d = this.root; ; d = path.dirname(d)) {
        await fsyncDirectory(path.dirname(d));
        if (d === createdRoot) break;
      }
    }
    const createdBox = await mkdir(dir, { recursive: true });
    let created = false;
    for (const sub of ["tmp", "new", "cur"]) {
      if ((await mkdir(path.join(dir, sub), { recursive: true })) !== undefined) created = true;
    }
    if (createdBox !== undefined) await fsyncDirectory(this.root);
    if (created) await fsyncDirectory(dir);
    if (this.#ready.size >= READY_CACHE_LIMIT) this.#ready.clear();
    this.#ready.add(mailbox);
    return dir;
  }

  /**
   * Store `message` once per copy and resolve when every copy is durable in `new/`. On any error
   * (the stream fails, the disk is full) the files in `tmp/` are removed and the error is thrown;
   * nothing is in `new/` unless all copies got there, except when a rename or the final directory
   * fsync fails part way, where the copies already renamed stay (the client will retry: SMTP
   * delivery is at least once).
   */
  async deliver(message: AsyncIterable<Uint8Array>, copies: readonly MaildirCopy[]): Promise<StoredCopy[]> {
    if (copies.length === 0) throw new RangeError("a delivery needs at least one copy");
    const written: { mailbox: string; dir: string; name: string }[] = [];
    try {
      let first: { file: FileHandle; headerLength: number; bodyLength: number } | undefined;
      try {
        for (const copy of copies) {
          const name = this.uniqueName();
          // The first copy is read back for the others, so it is opened read-write.
          const { dir, file } = await this.#createTmp(copy.mailbox, name, first === undefined ? "wx+" : "wx");
          written.push({ mailbox: copy.mailbox, dir, name });
          try {
            await writeAll(file, [copy.header]);
            if (first === undefined) {
              const bodyLength = await writeStream(file, message);
              await file.sync();
              first = { file, headerLength: copy.header.length, bodyLength };
              continue;
            }
            await copyRange(first.file, first.headerLength, first.bodyLength, file);
            await file.sync();
          } catch (error) {
            await file.close().catch(() => undefined);
            throw error;
          }
          await file.close();
        }
      } finally {
        await first?.file.close();
      }
    } catch (error) {
      await Promise.all(written.map((w) => unlink(path.join(w.dir, "tmp", w.name)).catch(() => undefined)));
      throw error;
    }
    const stored: StoredCopy[] = [];
    const directories = new Set<string>();
    for (const w of written) {
      const target = path.join(w.dir, "new", w.name);
      await rename(path.join(w.dir, "tmp", w.name), target);
      stored.push({ mailbox: w.mailbox, file: target });
      directories.add(path.join(w.dir, "new"));
    }
    for (const dir of directories) await fsyncDirectory(dir);
    return stored;
  }

  /**
   * Create `tmp/<name>` exclusively. If the mailbox was removed since it was cached (someone
   * cleaned up under a running server), it is created again once.
   */
  async #createTmp(mailbox: string, name: string, flags: "wx" | "wx+"): Promise<{ dir: string; file: FileHandle }> {
    let dir = await this.#ensureMailbox(mailbox);
    try {
      return { dir, file: await open(path.join(dir, "tmp", name), flags, 0o600) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      this.#ready.delete(mailbox);
      dir = await this.#ensureMailbox(mailbox);
      return { dir, file: await open(path.join(dir, "tmp", name), flags, 0o600) };
    }
  }
}
