/**
 * The one check that completes a message: only with --deliver, and only to that address, through
 * smtp-client (a correct client, since nothing here needs bytes a correct client would not send).
 */
import { randomBytes } from "node:crypto";
import { type Connection, type Reply, SmtpClientError } from "@smtpkit/smtp-client";
import { type CheckDefinition, fail, notApplicable, pass, type ResolvedOptions } from "../types.js";
import { clientConnect } from "./client-support.js";

const SUBJECT = "smtpkit probe test message";

/** A reply in one line: "250 2.0.0 queued as X". */
function replyText(r: Reply): string {
  const e = r.enhanced === undefined ? "" : ` ${r.enhanced.cls}.${r.enhanced.subject}.${r.enhanced.detail}`;
  const text = r.lines.join(" / ");
  return `${r.code}${e}${text === "" ? "" : ` ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`}`;
}

/** date-time with a numeric zone (RFC 5322 §3.3): "GMT" is obsolete syntax, "+0000" is not. */
function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}

/** A short, well-formed message (RFC 5322 §3.6: Date and From are required; Message-ID should be there). */
export function testMessage(o: ResolvedOptions, to: string, now = new Date()): string {
  const id = `${randomBytes(8).toString("hex")}@${o.helo}`;
  return [
    `Date: ${rfc5322Date(now)}`,
    `From: <${o.from}>`,
    `To: <${to}>`,
    `Subject: ${SUBJECT}`,
    `Message-ID: <${id}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This message was sent by smtpkit probe to check that the server accepts a complete",
    "transaction (RFC 5321 section 4.1.1.4). It can be deleted.",
    "",
  ].join("\r\n");
}

/**
 * A whole transaction, MAIL, RCPT, DATA and the final dot: "the receiver MUST send a 250 OK reply"
 * once it has taken the message (RFC 5321 §4.1.1.4), the order of §3.3.
 */
const data: CheckDefinition = {
  id: "commands.data",
  area: "commands",
  title: "A complete message (--deliver)",
  rfc: "RFC 5321 §4.1.1.4, §3.3",
  async run(ctx) {
    const o = ctx.options;
    const to = o.deliver;
    if (to === undefined) return notApplicable("needs --deliver: the probe completes no message without it");
    // Same transport as the probe's mode; the certificate is judged by the TLS checks, not here.
    const tls = o.tls === "implicit" ? "implicit" : o.tls === "starttls" ? "opportunistic" : "none";
    ctx.note(`smtp-client: connect ${o.host}:${o.port} (tls ${tls}), send one message from <${o.from}> to <${to}> only`);
    let conn: Connection | undefined;
    try {
      conn = await clientConnect(ctx, tls);
      ctx.note(`smtp-client: session open${conn.secure ? " over TLS" : ""}`);
      const result = await conn.send({ from: o.from, to, message: testMessage(o, to) });
      const rcpt = result.recipients[0];
      if (rcpt !== undefined) ctx.note(`RCPT TO:<${to}> → ${replyText(rcpt.reply)}`);
      if (result.data === undefined) return fail(`the recipient <${to}> was refused: ${rcpt === undefined ? "no reply" : replyText(rcpt.reply)}`);
      ctx.note(`end of data → ${replyText(result.data)}`);
      if (result.data.code !== 250) return fail(`the message to <${to}> got ${replyText(result.data)} after the final dot`);
      return pass(`a complete message to <${to}> was accepted: ${replyText(result.data)}`);
    } catch (err) {
      if (!SmtpClientError.isInstance(err)) throw err;
      const reply = err.reply === undefined ? "" : ` (${replyText(err.reply)})`;
      return fail(`the transaction failed at ${err.phase}: ${err.code}${reply}: ${err.message}`);
    } finally {
      if (conn !== undefined) await conn.quit().catch(() => conn?.close());
    }
  },
};

export const deliveryChecks: readonly CheckDefinition[] = [data];
