/**
 * From smtp-client's results and errors to `send`'s `Outcome`: one entry per recipient, whether it
 * was accepted, the reply that says so, and for a failure whether a retry may help.
 */
import { type DeliveryReport, type SendResult, SmtpClientError } from "@smtpkit/smtp-client";
import type { Reply } from "@smtpkit/smtp-reply-codes";
import type { ErrorOutcome, Outcome, RecipientOutcome } from "./output.js";

const TRANSACTION_PHASES: ReadonlySet<string> = new Set(["mail", "rcpt", "data"]);

/** RFC 5321 §4.2.1: 4yz is transient, 5yz permanent. */
function temporaryReply(reply: Reply): boolean {
  return reply.code < 500;
}

export function errorOutcome(error: SmtpClientError): ErrorOutcome {
  return {
    code: error.code,
    phase: error.phase,
    temporary: error.temporary,
    message: error.message,
    ...(error.reply === undefined ? {} : { reply: error.reply }),
  };
}

/** A session's result: each recipient's RCPT reply (LMTP: its reply after the data). */
export function resultOutcome(result: SendResult): Outcome {
  const recipients = result.recipients.map(
    (r): RecipientOutcome => ({ address: r.address, accepted: r.accepted, reply: r.reply, temporary: !r.accepted && temporaryReply(r.reply) }),
  );
  return {
    recipients,
    ...(result.data === undefined
      ? {}
      : { data: { reply: result.data, host: result.host, ...(result.messageId === undefined ? {} : { messageId: result.messageId }) } }),
  };
}

/**
 * The transaction failed as a whole (no TLS, AUTH refused, MAIL or the data refused, the connection
 * lost): no recipient got the message, each is reported with the error's reply or its message.
 */
export function failedOutcome(to: readonly string[], error: SmtpClientError): Outcome {
  const recipients = [...new Set(to)].map(
    (address): RecipientOutcome => ({
      address,
      accepted: false,
      // The reply is the recipient's answer only where the transaction was refused; an EHLO,
      // AUTH or TLS reply would read as if the recipient had been answered.
      ...(error.reply !== undefined && TRANSACTION_PHASES.has(error.phase) ? { reply: error.reply } : { reason: error.message }),
      temporary: error.temporary,
    }),
  );
  return { recipients, error: errorOutcome(error) };
}

/** Direct-to-MX: each recipient as its domain's MX answered, or the error that decided it. */
export function deliveryOutcome(report: DeliveryReport): Outcome {
  const recipients = report.recipients.map((r): RecipientOutcome => {
    const base = { address: r.address, accepted: r.accepted, temporary: !r.accepted && r.temporary };
    if (r.reply !== undefined) return { ...base, reply: r.reply };
    return r.error === undefined ? base : { ...base, reason: r.error.message };
  });
  // The first failure that was not a recipient's reply (no MX, no host reachable, TLS refused).
  const decisive = report.recipients.find((r) => !r.accepted && r.reply === undefined && r.error !== undefined)?.error;
  if (decisive === undefined) return { recipients };
  const error: ErrorOutcome = SmtpClientError.isInstance(decisive)
    ? errorOutcome(decisive)
    : { code: "mx-failed", phase: "mx", temporary: recipients.some((r) => !r.accepted && r.temporary), message: decisive.message };
  return { recipients, error };
}
