/**
 * What `smtpkit send` prints and the exit code it returns, from one `Outcome`: a line per
 * recipient for people, or one JSON object (issue 6):
 *
 *   { "recipients": [{ "address", "accepted", "code", "enhanced", "text" }], "data"?: {…}, "error"?: {…} }
 *
 * Nothing here knows about sockets, so every rule is tested on plain values.
 */
import { formatEnhancedCode, type Reply } from "@smtpkit/smtp-reply-codes";
import { EXIT } from "../verb.js";

/** One recipient's outcome; `address` exactly as given on the command line. */
export interface RecipientOutcome {
  readonly address: string;
  readonly accepted: boolean;
  /** The server's answer for this recipient (RCPT, or for LMTP the reply after the data). */
  readonly reply?: Reply;
  /** Why it failed when there was no reply to say so (a connection error, a DNS failure). */
  readonly reason?: string;
  /** For a recipient not accepted: whether a retry may succeed. */
  readonly temporary: boolean;
}

/** The failure that ended the attempt, when one did. */
export interface ErrorOutcome {
  /** The client's stable error code (`tls-unavailable`, `rejected`, `mx-failed`, …). */
  readonly code: string;
  readonly phase: string;
  readonly temporary: boolean;
  readonly message: string;
  readonly reply?: Reply;
}

export interface Outcome {
  readonly recipients: readonly RecipientOutcome[];
  /** The final reply to the message data, where one server took it. */
  readonly data?: { readonly reply: Reply; readonly messageId?: string; readonly host?: string };
  readonly error?: ErrorOutcome;
}

export interface ReplyJson {
  readonly code: number;
  readonly enhanced: string | null;
  readonly text: string;
}

export interface RecipientJson {
  readonly address: string;
  readonly accepted: boolean;
  /** The reply code, or null when the recipient never got one (e.g. the connection failed first). */
  readonly code: number | null;
  readonly enhanced: string | null;
  readonly text: string;
}

export interface SendJson {
  readonly recipients: readonly RecipientJson[];
  readonly data?: ReplyJson & { readonly messageId?: string; readonly host?: string };
  readonly error?: { readonly code: string; readonly phase: string; readonly temporary: boolean; readonly message: string; readonly reply?: ReplyJson };
}

/** The reply's text: its lines joined with a space (a multi-line reply reads as one sentence). */
export function replyJson(reply: Reply): ReplyJson {
  return {
    code: reply.code,
    enhanced: reply.enhanced === undefined ? null : formatEnhancedCode(reply.enhanced),
    text: reply.lines.join(" "),
  };
}

/** `250 2.1.5 Ok`: the reply as one line. */
export function replyLine(reply: Reply): string {
  const r = replyJson(reply);
  return `${r.code}${r.enhanced === null ? "" : ` ${r.enhanced}`}${r.text === "" ? "" : ` ${r.text}`}`;
}

export function outcomeJson(outcome: Outcome): SendJson {
  const recipients = outcome.recipients.map((r): RecipientJson => {
    if (r.reply !== undefined) return { address: r.address, accepted: r.accepted, ...replyJson(r.reply) };
    return { address: r.address, accepted: r.accepted, code: null, enhanced: null, text: r.reason ?? "" };
  });
  const out: { -readonly [K in keyof SendJson]: SendJson[K] } = { recipients };
  if (outcome.data !== undefined) {
    const { reply, messageId, host } = outcome.data;
    out.data = { ...replyJson(reply), ...(messageId === undefined ? {} : { messageId }), ...(host === undefined ? {} : { host }) };
  }
  if (outcome.error !== undefined) {
    const e = outcome.error;
    out.error = {
      code: e.code,
      phase: e.phase,
      temporary: e.temporary,
      message: e.message,
      ...(e.reply === undefined ? {} : { reply: replyJson(e.reply) }),
    };
  }
  return out;
}

/** One line per recipient, then the data reply and the error, if any. */
export function outcomeText(outcome: Outcome): string {
  const lines: string[] = [];
  const width = Math.max(0, ...outcome.recipients.map((r) => r.address.length));
  for (const r of outcome.recipients) {
    const verdict = r.accepted ? "accepted" : r.temporary ? "deferred" : "rejected";
    const why = r.reply !== undefined ? replyLine(r.reply) : (r.reason ?? "");
    lines.push(`${verdict}  ${r.address.padEnd(width)}  ${why}`.trimEnd());
  }
  if (outcome.data !== undefined) {
    const { reply, messageId, host } = outcome.data;
    const extra = [messageId === undefined ? undefined : `id ${messageId}`, host === undefined ? undefined : `by ${host}`].filter((x) => x !== undefined);
    lines.push(`data: ${replyLine(reply)}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}`);
  }
  if (outcome.error !== undefined) {
    const e = outcome.error;
    lines.push(`error: ${e.temporary ? "temporary" : "permanent"} failure in ${e.phase} (${e.code}): ${e.message}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Exit 0 when every recipient was accepted; 2 when any was rejected permanently (a retry will not
 * help it, whatever happened to the others); 3 when the rest failed only temporarily.
 */
export function exitCode(outcome: Outcome): number {
  const failed = outcome.recipients.filter((r) => !r.accepted);
  if (failed.length === 0 && outcome.error === undefined) return EXIT.ok;
  if (failed.some((r) => !r.temporary)) return EXIT.permanent;
  if (failed.length === 0 && outcome.error !== undefined && !outcome.error.temporary) return EXIT.permanent;
  return EXIT.temporary;
}
