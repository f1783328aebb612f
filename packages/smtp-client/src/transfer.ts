/**
 * One mail transaction: MAIL, RCPT…, then DATA (dot-stuffed by smtp-codec's DataEncoder) or BDAT
 * (RFC 3030, exact octet counts). With PIPELINING (RFC 2920) the envelope and DATA, or the first BDAT,
 * leave in one write and the replies are matched in order.
 */
import { DataEncoder, type Reply } from "@smtpkit/smtp-codec";
import type { Envelope } from "./envelope.js";
import { rejected, SmtpClientError, type SmtpPhase } from "./errors.js";
import { canonicalChunks, hasEightBit, Lookahead, messageChunks, messageIdFrom } from "./message-source.js";
import type { MessageInput, RecipientResult, SendResult, Timeouts } from "./types.js";
import type { Wire } from "./wire.js";

export interface TransferContext {
  readonly wire: Wire;
  readonly timeouts: Timeouts;
  readonly pipelining: boolean;
  readonly lmtp: boolean;
  readonly host: string;
  /** Send RSET first (the previous transaction did not end cleanly). */
  readonly reset: boolean;
  /**
   * Called once the DATA dot is written and its reply awaited in order: the next transaction may
   * then write its commands before this reply arrives (RFC 2920 §3.1).
   */
  readonly sent?: () => void;
}

type Chunk = { chunk: Uint8Array; last: boolean };

/** Commands queued for one write, each with the promise of its reply, in order. */
class Batch {
  readonly #lines: string[] = [];
  readonly replies: Promise<Reply>[] = [];
  constructor(readonly wire: Wire) {}
  add(line: string, phase: SmtpPhase, timeout: number): void {
    this.#lines.push(line);
    const p = this.wire.expect(phase, timeout);
    p.catch(() => undefined); // observed later; a session failure rejects every one
    this.replies.push(p);
  }
  async flush(timeout: number, extra?: Uint8Array): Promise<void> {
    const text = Buffer.from(this.#lines.join(""), "utf8");
    this.#lines.length = 0;
    await this.wire.write(extra === undefined ? text : Buffer.concat([text, extra]), "mail", timeout);
  }
  take(): Promise<Reply> {
    const p = this.replies.shift();
    if (p === undefined) throw new Error("smtp-client: reply queue empty");
    return p;
  }
}

function bdatLine(c: Chunk | undefined): { line: string; bytes: Uint8Array } {
  const bytes = c?.chunk ?? new Uint8Array(0);
  return { line: `BDAT ${bytes.length}${c === undefined || c.last ? " LAST" : ""}\r\n`, bytes };
}

/** Run the transaction; resolves with the per-recipient result or rejects with SmtpClientError. */
export async function transfer(ctx: TransferContext, env: Envelope, message: MessageInput): Promise<SendResult> {
  const { wire, timeouts: t } = ctx;
  const b = new Batch(wire);
  if (ctx.reset) {
    b.add("RSET\r\n", "rset", t.command);
    if (!ctx.pipelining) {
      await b.flush(t.command);
      const r = await b.take();
      if (r.code !== 250) throw rejected("rset", r, "RSET refused");
    }
  }
  b.add(env.mail, "mail", t.mail);
  const source = env.sevenBitOnly ? sevenBitGuard(messageChunks(message), wire) : messageChunks(message);
  const ahead = env.bdat ? new Lookahead(env.binary ? source : canonicalChunks(source)) : undefined;
  // LMTP answers the last BDAT once per accepted recipient, unknown until the RCPT replies are in.
  const pipelineBdat = ctx.pipelining && ahead !== undefined && !ctx.lmtp;
  let firstSent: Chunk | undefined | null = null; // null: no BDAT sent yet
  if (ctx.pipelining) {
    for (const r of env.rcpts) b.add(r.line, "rcpt", t.rcpt);
    if (pipelineBdat) {
      firstSent = await ahead.next();
      const { line, bytes } = bdatLine(firstSent);
      b.add(line, "data", firstSent === undefined || firstSent.last ? t.dataEnd : t.dataBlock);
      await b.flush(t.mail, bytes);
    } else {
      if (ahead === undefined) b.add("DATA\r\n", "data", t.dataInit);
      await b.flush(t.mail);
    }
    if (ctx.reset) {
      const r = await b.take();
      if (r.code !== 250) throw rejected("rset", r, "RSET refused");
    }
  } else {
    await b.flush(t.mail);
  }

  const mailReply = await b.take();
  const results: RecipientResult[] = [];
  const accepted: number[] = [];
  for (const [i, r] of env.rcpts.entries()) {
    if (!ctx.pipelining) {
      if (mailReply.code !== 250) break;
      b.add(r.line, "rcpt", t.rcpt);
      await b.flush(t.rcpt);
    }
    const reply = await b.take();
    const ok = reply.code === 250 || reply.code === 251;
    results.push({ address: r.address, accepted: ok, reply });
    if (ok) accepted.push(i);
  }
  if (mailReply.code !== 250) {
    // Keep the pairing: read what was asked for; a 354 to a pipelined DATA is ended with the dot alone.
    const rest = await Promise.all(b.replies.splice(0));
    if (rest[rest.length - 1]?.code === 354) await dotOnly(ctx);
    throw rejected("mail", mailReply, "MAIL FROM refused");
  }

  if (ahead !== undefined) {
    if (accepted.length === 0) {
      // No recipient: the pipelined BDAT (if any) was refused; send no more of the message.
      await Promise.all(b.replies.splice(0));
      return summary(ctx, results, undefined);
    }
    const replies = await sendBdat(ctx, ahead, firstSent, b.replies.splice(0), accepted.length);
    if (accepted.length === 0) return summary(ctx, results, undefined);
    return finish(ctx, results, accepted, replies);
  }

  let start: Reply | undefined;
  if (ctx.pipelining) start = await b.take();
  else if (accepted.length > 0) {
    b.add("DATA\r\n", "data", t.dataInit);
    await b.flush(t.dataInit);
    start = await b.take();
  }
  if (accepted.length === 0) {
    // RFC 2920 §3.1: DATA got 354 though every recipient was refused: the dot alone, no body.
    if (start?.code === 354) await dotOnly(ctx);
    return summary(ctx, results, undefined);
  }
  if (start === undefined || start.code !== 354) throw rejected("data", start as Reply, "DATA refused");
  const enc = new DataEncoder();
  const n = ctx.lmtp ? accepted.length : 1;
  const finals: Promise<Reply>[] = [];
  const expectFinals = () => {
    for (let i = 0; i < n; i++) finals.push(wire.expect("data", t.dataEnd));
    for (const f of finals) f.catch(() => undefined);
  };
  if (env.whole !== undefined) {
    // A message given whole goes out as one write with its terminator: with Nagle off, each write is
    // a packet and a system call, and for small messages those were the client's main cost.
    expectFinals();
    await endData(ctx, Buffer.concat([...enc.push(env.whole), ...enc.end()]));
    return finish(ctx, results, accepted, await Promise.all(finals));
  }
  for await (const chunk of source) {
    for (const piece of enc.push(chunk)) await wire.write(piece, "data", t.dataBlock);
  }
  expectFinals();
  await endData(ctx, Buffer.concat(enc.end()));
  return finish(ctx, results, accepted, await Promise.all(finals));
}

/**
 * Write the end of the message (its dot included). With `ctx.sent` the socket is corked until the
 * microtasks have run, so the next queued send's MAIL, RCPT… and DATA join this write (one packet,
 * one system call) instead of waiting for this message's reply.
 */
async function endData(ctx: TransferContext, bytes: Uint8Array): Promise<void> {
  const { wire, timeouts: t } = ctx;
  if (ctx.sent === undefined) return wire.write(bytes, "data", t.dataBlock);
  const socket = wire.socket;
  socket.cork();
  // nextTick runs after the microtask queue is drained, where the next send writes its commands.
  process.nextTick(() => socket.uncork());
  const w = wire.write(bytes, "data", t.dataBlock);
  ctx.sent();
  return w;
}

/**
 * The chunks of a streamed message for a server without 8BITMIME (RFC 6152): at the first 8-bit
 * octet the session is dropped before the end of data — the server then discards the partial
 * message (RFC 5321 §4.1.1.4) — and the send fails permanently: the message needs 8BITMIME.
 */
async function* sevenBitGuard(chunks: AsyncIterable<Uint8Array>, wire: Wire): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    if (hasEightBit(chunk)) {
      wire.fail(new SmtpClientError("connection-lost", "data", "connection dropped mid-data: the message needs 8BITMIME"));
      throw new SmtpClientError(
        "extension-missing",
        "data",
        "the message has 8-bit octets but the server does not offer 8BITMIME (RFC 6152); dropped before the end of data, nothing was delivered",
        { temporary: false },
      );
    }
    yield chunk;
  }
}

async function dotOnly(ctx: TransferContext): Promise<void> {
  const p = ctx.wire.expect("data", ctx.timeouts.dataEnd);
  await ctx.wire.write(".\r\n", "data", ctx.timeouts.dataBlock);
  await p;
}

/**
 * BDAT: one command per chunk with its exact octet count. The look-ahead knows the last chunk, so
 * it carries LAST; an empty message is `BDAT 0 LAST`.
 */
async function sendBdat(
  ctx: TransferContext,
  ahead: Lookahead,
  firstSent: Chunk | undefined | null,
  queued: Promise<Reply>[],
  acceptedCount: number,
): Promise<Reply[]> {
  const { wire, timeouts: t } = ctx;
  const replies = queued;
  const sendOne = async (c: Chunk | undefined) => {
    const last = c === undefined || c.last;
    const n = last && ctx.lmtp ? acceptedCount : 1;
    for (let i = 0; i < n; i++) {
      const p = wire.expect("data", last ? t.dataEnd : t.dataBlock);
      p.catch(() => undefined);
      replies.push(p);
    }
    const { line, bytes } = bdatLine(c);
    await wire.write(Buffer.concat([Buffer.from(line), bytes]), "data", t.dataBlock);
  };
  let done = firstSent !== null && (firstSent === undefined || firstSent.last);
  if (firstSent === null) {
    const c = await ahead.next();
    await sendOne(c);
    done = c === undefined || c.last;
  }
  while (!done) {
    if (!ctx.pipelining) {
      // RFC 3030 §4.2: without PIPELINING each BDAT waits for its reply; a refused chunk ends the message.
      const r = await (replies[replies.length - 1] as Promise<Reply>);
      if (r.code !== 250) return ctx.lmtp ? Array.from({ length: acceptedCount }, () => r) : [r];
    }
    const c = await ahead.next();
    await sendOne(c);
    done = c === undefined || c.last;
  }
  const all = await Promise.all(replies);
  if (ctx.lmtp) {
    const bad = all.slice(0, all.length - acceptedCount).find((r) => r.code !== 250);
    if (bad !== undefined) return all.slice(all.length - acceptedCount).map(() => bad);
    return all.slice(all.length - acceptedCount);
  }
  // A refused chunk refuses the message: the first failure decides.
  return [all.find((r) => r.code !== 250) ?? (all[all.length - 1] as Reply)];
}

function finish(ctx: TransferContext, results: RecipientResult[], accepted: number[], data: Reply[]): SendResult {
  if (ctx.lmtp) {
    // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
    for (const [k, i] of accepted.entries()) {
      const reply = data[k] as Reply;
      const r = results[i] as RecipientResult;
      results[i] = { address: r.address, accepted: reply.code === 250, reply };
    }
    return summary(ctx, results, data[data.length - 1]);
  }
  const final = data[0] as Reply;
  if (final.code !== 250) throw rejected("data", final, "message refused");
  return summary(ctx, results, final);
}

function summary(ctx: TransferContext, results: RecipientResult[], data: Reply | undefined): SendResult {
  const messageId = data !== undefined && data.code === 250 ? messageIdFrom(data.lines) : undefined;
  return {
    recipients: results,
    accepted: results.filter((r) => r.accepted).map((r) => r.address),
    rejected: results.filter((r) => !r.accepted).map((r) => r.address),
    ...(data === undefined ? {} : { data }),
    ...(messageId === undefined ? {} : { messageId }),
    host: ctx.host,
  };
}
