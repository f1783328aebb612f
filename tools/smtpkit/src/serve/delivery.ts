/**
 * What `smtpkit serve` does with an accepted message: the `onData` hook. For `--maildir`, one
 * copy per recipient with its own trace header, durable before the hook resolves (so before the
 * 250). `--discard` has no hook: smtp-server-core reads and drops the content itself.
 */
import type { Readable } from "node:stream";
import type { DataOutcome, Session } from "@smtpkit/smtp-server-core";
import { reply } from "@smtpkit/smtp-reply-codes";
import { mailboxName } from "./mailbox-name.js";
import type { MaildirStore, StoredCopy } from "./maildir.js";
import { formatTraceHeaders, type TransferMode } from "./trace.js";

/** Per-session count of messages, kept in `session.locals` under this key. */
const COUNTER = "smtpkit.serve.messages";

/**
 * This message's id for the `Received:` `id` clause and the 250 reply: the session id and the
 * message's number in the session, made an Atom (RFC 5321 §4.4 `ID = CFWS "ID" FWS ( Atom / msg-id )`).
 */
export function messageId(session: Session): string {
  const n = ((session.locals[COUNTER] as number | undefined) ?? 0) + 1;
  session.locals[COUNTER] = n;
  return `${session.id.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]/g, "-")}-${n}`;
}

/** How this session's message came in, for the `with` clause. */
export function transferMode(session: Session): TransferMode {
  return {
    lmtp: session.lmtp,
    extended: session.helo?.verb !== "HELO",
    tls: session.secure,
    authenticated: session.auth !== undefined,
    smtputf8: session.envelope?.mailParams.smtputf8 === true,
  };
}

export interface MaildirDeliveryOptions {
  readonly store: MaildirStore;
  /** `--hostname`, for the `by` clause. */
  readonly hostname: string;
  readonly now?: () => Date;
  /** Told of every stored copy (logging, tests). */
  readonly onStored?: (copies: readonly StoredCopy[], session: Session) => void;
}

/** The `onData` hook of `--maildir`. */
export function maildirDelivery(options: MaildirDeliveryOptions): (message: Readable, session: Session) => Promise<DataOutcome> {
  const now = options.now ?? (() => new Date());
  return async (message, session) => {
    const envelope = session.envelope;
    if (envelope === undefined || envelope.rcptTo.length === 0) {
      // The server only calls onData inside a transaction with recipients; this is a guard, not a path.
      throw new Error("onData without a transaction");
    }
    const id = messageId(session);
    const date = now();
    const mode = transferMode(session);
    const copies = envelope.rcptTo.map((rcpt) => ({
      mailbox: mailboxName(rcpt.path),
      header: Buffer.from(
        formatTraceHeaders({
          sender: envelope.mailFrom,
          recipient: rcpt.path,
          helo: session.helo?.domain,
          remoteAddress: session.remoteAddress,
          hostname: options.hostname,
          mode,
          tls: session.tls,
          id,
          date,
        }),
        "utf8",
      ),
    }));
    const stored = await options.store.deliver(message, copies);
    options.onStored?.(stored, session);
    return { reply: reply(250, "2.0.0", `Ok: stored as ${id}`) };
  };
}
