/**
 * Message content: DATA (RFC 5321 §4.1.1.4, dot-unstuffed, ended only by CRLF.CRLF) and BDAT
 * (RFC 3030, exact octet counts). Bytes go from the socket through the codec's decoders to the
 * application's stream with backpressure; the reply waits for `onData` (the durability point).
 *
 * Whatever goes wrong mid-message — too big, bare CR/LF, the consumer failed — the content is still
 * read to its real end before the one reply, so the session stays in step and one message is
 * never taken for two (SMTP smuggling).
 */
import { BdatReader, DataDecoder } from "@smtpkit/smtp-codec";
import type { Reply } from "@smtpkit/smtp-codec";
import { reply } from "@smtpkit/smtp-reply-codes";
import { bad } from "./commands.js";
import { LineEndingNormalizer, MessageStream } from "./data-sink.js";
import { SmtpReplyError } from "./errors.js";
import { lmtpReplies } from "./lmtp.js";
import { R } from "./replies.js";
import { type Connection, Mode, type Transaction } from "./session.js";
import type { DataOutcome } from "./types.js";

export class Transfer {
  readonly stream: MessageStream | undefined;
  decoder: DataDecoder | undefined;
  bdat: BdatReader | undefined;
  bdatLast = false;
  /** A refused BDAT chunk: read and dropped, then this reply. */
  bdatRefusal: Reply | undefined;
  /** Octets of message content so far (BDAT; DATA counts in its decoder). */
  size = 0;
  /** Our own verdict on the message (too big, bare line endings, consumer too slow). */
  failure: Reply | undefined;
  normalizer: LineEndingNormalizer | undefined;
  /** onData has settled: `ok` with its value, or the error. */
  settled: Promise<void> | undefined;
  ended = false;
  ok = false;
  value: DataOutcome | undefined = undefined;
  error: unknown;

  constructor(c: Connection) {
    const hook = c.ctx.hooks.onData;
    if (hook === undefined) {
      this.stream = undefined;
      return;
    }
    const stream = new MessageStream();
    this.stream = stream;
    let result: ReturnType<typeof hook>;
    try {
      result = hook.call(c.ctx.hooks, stream, c.info);
    } catch (err) {
      result = Promise.reject(err);
    }
    this.settled = Promise.resolve(result).then(
      (value) => {
        this.ok = true;
        this.value = value === undefined || value === null ? undefined : value;
        // Resolved before the end: the application has what it wants; drop the rest quietly.
        if (!this.ended) stream.destroy();
      },
      (err: unknown) => {
        this.error = err;
        if (!this.ended || !stream.readableEnded) stream.destroy();
      },
    );
  }

  fail(r: Reply, code: string): void {
    if (this.failure !== undefined) return;
    this.failure = r;
    this.stream?.destroy(new SmtpReplyError(r, { code }));
  }

  abort(err: Error): void {
    this.stream?.destroy(err);
  }
}

function begin(c: Connection, tx: Transaction, kind: "DATA" | "BDAT"): Transfer {
  const t = new Transfer(c);
  tx.transfer = kind;
  c.transfer = t;
  c.dataStart = c.ctx.now;
  c.dataBytes = 0;
  c.dataStalled = 0;
  return t;
}

/** After DATA was accepted: 354, then the content. */
export function startData(c: Connection, tx: Transaction): void {
  const t = begin(c, tx, "DATA");
  const max = c.ctx.limits.maxMessageSize;
  t.decoder = new DataDecoder(max > 0 ? { maxSize: max } : {});
  if (c.ctx.bareLineEndings === "normalize") t.normalizer = new LineEndingNormalizer();
  c.out.add(R.startMailInput);
  c.setMode(Mode.Data);
  c.flush();
}

/** Content after DATA: synchronous unless there is a consumer to feed or onData to wait for. */
export function receiveData(c: Connection, chunk: Uint8Array): Uint8Array | undefined | Promise<Uint8Array | undefined> {
  const t = c.transfer as Transfer;
  const d = t.decoder as DataDecoder;
  c.dataBytes += chunk.length;
  const r = d.push(chunk);
  if (t.failure === undefined) {
    if (d.sizeExceeded) t.fail(R.messageTooBig, "message-too-big");
    // RFC 5321 §2.3.8 / RFC 5322 §2.3: CR and LF only as CRLF. Refused after the real end.
    else if ((d.bareCr || d.bareLf) && t.normalizer === undefined) t.fail(R.bareLineEndingData, "bare-line-ending");
  }
  if (t.failure === undefined && t.stream !== undefined && r.body.length > 0) return feedData(c, t, r);
  if (!r.done) return undefined;
  const finishing = finish(c, t);
  return finishing === undefined ? r.rest : finishing.then(() => r.rest);
}

async function feedData(c: Connection, t: Transfer, r: ReturnType<DataDecoder["push"]>): Promise<Uint8Array | undefined> {
  await feed(c, t, r.body);
  if (!r.done) return undefined;
  await finish(c, t);
  return r.rest;
}

async function feed(c: Connection, t: Transfer, parts: Uint8Array[]): Promise<void> {
  const stream = t.stream as MessageStream;
  let list = parts;
  if (t.normalizer !== undefined) {
    list = [];
    for (const p of parts) t.normalizer.push(p, list);
  }
  for (const part of list) {
    const wait = stream.feed(part);
    if (wait === undefined) continue;
    try {
      await c.guard(wait);
    } catch {
      // The consumer did not read within hookTimeout: the message is refused, the rest dropped.
      t.fail(R.hookTimeout, "consumer-timeout");
      return;
    }
  }
}

/** BDAT n [LAST]: read exactly n octets (also when refusing), then answer. */
export async function startBdat(c: Connection, size: number, last: boolean, refusal: Reply | undefined): Promise<void> {
  const tx = c.tx;
  let t = c.transfer;
  if (refusal === undefined && tx !== undefined && t === undefined) t = begin(c, tx, "BDAT");
  if (refusal !== undefined || t === undefined) {
    // Refused chunks are read into a throwaway transfer that has no consumer.
    c.bdatDiscard = { reader: new BdatReader(size), refusal: refusal ?? R.needMail };
  } else {
    t.bdat = new BdatReader(size);
    t.bdatLast = last;
  }
  if (size === 0) {
    await endChunk(c);
    return;
  }
  c.setMode(Mode.Bdat);
}

export async function receiveBdat(c: Connection, chunk: Uint8Array): Promise<Uint8Array | undefined> {
  const discard = c.bdatDiscard;
  if (discard !== undefined) {
    const r = discard.reader.push(chunk);
    if (!r.done) return undefined;
    await endChunk(c);
    return r.rest;
  }
  const t = c.transfer as Transfer;
  const r = (t.bdat as BdatReader).push(chunk);
  let n = 0;
  for (const part of r.data) n += part.length;
  c.dataBytes += n;
  t.size += n;
  const max = c.ctx.limits.maxMessageSize;
  if (t.failure === undefined && max > 0 && t.size > max) t.fail(R.messageTooBig, "message-too-big");
  if (t.failure === undefined && t.stream !== undefined && r.data.length > 0) await feed(c, t, r.data);
  if (!r.done) return undefined;
  await endChunk(c);
  return r.rest;
}

async function endChunk(c: Connection): Promise<void> {
  c.setMode(Mode.Command);
  const discard = c.bdatDiscard;
  if (discard !== undefined) {
    c.bdatDiscard = undefined;
    if (discard.refusal.code === 503) bad(c, discard.refusal);
    else c.out.add(discard.refusal);
    return;
  }
  const t = c.transfer as Transfer;
  if (t.bdatLast) {
    await finish(c, t);
    return;
  }
  // RFC 3030 §2: each chunk but the last gets its own reply.
  c.out.add(t.failure ?? reply(250, "2.0.0", `${t.size} octets received`));
}

/** The end of the content: wait for onData, then the reply (LMTP: one per recipient). */
function finish(c: Connection, t: Transfer): Promise<void> | undefined {
  const tx = c.tx as Transaction;
  t.ended = true;
  c.setMode(Mode.Command);
  // Without onData there is nothing to wait for: the reply is queued at once.
  if (t.stream === undefined && t.settled === undefined) {
    conclude(c, t, tx);
    return undefined;
  }
  return finishAsync(c, t, tx);
}

async function finishAsync(c: Connection, t: Transfer, tx: Transaction): Promise<void> {
  if (t.failure === undefined && t.stream !== undefined) {
    if (t.normalizer !== undefined) {
      const tail: Uint8Array[] = [];
      t.normalizer.end(tail);
      if (tail.length > 0) await feed(c, t, tail);
    }
    t.stream.finish();
  }
  if (t.settled !== undefined) {
    try {
      await c.guard(t.settled);
    } catch (err) {
      t.error = err;
      t.ok = false;
      t.stream?.destroy();
    }
  }
  conclude(c, t, tx);
}

function conclude(c: Connection, t: Transfer, tx: Transaction): void {
  let outcome: Reply;
  if (t.failure !== undefined) outcome = t.failure;
  else if (t.stream === undefined) outcome = R.queued;
  else if (t.ok) outcome = (t.value as DataOutcome | undefined)?.reply ?? R.queued;
  else outcome = c.replyFor(t.error, "onData");
  if (c.mode === Mode.Closed) return;
  if (c.ctx.lmtp) {
    const perRecipient = t.ok && t.failure === undefined ? (t.value as DataOutcome | undefined)?.recipients : undefined;
    for (const r of lmtpReplies(tx.rcptTo.length, outcome === R.queued ? undefined : outcome, perRecipient)) c.out.add(r);
  } else {
    c.out.add(outcome);
  }
  c.transfer = undefined;
  c.tx = undefined;
  c.info.envelope = undefined;
  c.info.transactions++;
  if (c.ctx.shuttingDown) c.close(R.shuttingDown);
}
