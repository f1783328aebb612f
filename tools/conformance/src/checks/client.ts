/**
 * The control check: smtpkit's own client (a correct client, no scripted bytes) completes a session
 * with the server — connect, EHLO, STARTTLS as the probe's mode asks, RSET, QUIT. If this fails while
 * the scripted checks pass, the fault is in how the two talk, and the transcript of the other checks
 * shows where.
 */
import { type Capabilities, SmtpClientError, type TlsMode } from "@smtpkit/smtp-client";
import { clientConnect } from "./client-support.js";
import { type CheckContext, type CheckDefinition, fail, pass, type Verdict } from "../types.js";

const clientSession: CheckDefinition = {
  id: "greeting.client-session",
  area: "greeting",
  title: "smtpkit's smtp-client completes a session (EHLO, TLS, RSET, QUIT)",
  rfc: "RFC 5321 §3.1-3.3, §4.1.1; RFC 3207",
  async run(ctx: CheckContext): Promise<Verdict> {
    const o = ctx.options;
    // "required" where the server offered STARTTLS: a correct client must then get TLS, never fall back.
    const tls: TlsMode = o.tls === "implicit" ? "implicit" : o.tls === "starttls" && ctx.facts.starttlsOffered ? "required" : "none";
    ctx.note(`smtp-client connect, tls ${tls}`);
    let stage = "connect";
    try {
      const conn = await clientConnect(ctx, tls);
      try {
        const c = conn.capabilities;
        ctx.note(`smtp-client: session ${conn.secure ? "encrypted" : "in clear"}, host ${conn.host}`);
        ctx.note(`smtp-client: capabilities ${describe(c)}`);
        stage = "RSET";
        await conn.reset();
        stage = "QUIT";
        await conn.quit();
        return pass(`connected ${conn.secure ? "with TLS" : "in clear"}, EHLO offered ${describe(c)}; RSET and QUIT answered`);
      } finally {
        conn.close();
      }
    } catch (err) {
      if (!SmtpClientError.isInstance(err)) throw err;
      const reply = err.reply === undefined ? "" : ` (server said ${err.reply.code} ${err.reply.lines.join(" ")})`;
      return fail(`at ${stage}: ${err.code}: ${err.message}${reply}`);
    }
  },
};

function describe(c: Capabilities): string {
  const flags = Object.entries(c as unknown as Record<string, unknown>)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
  if (c.size !== undefined) flags.push(`size ${c.size}`);
  if (c.auth.length > 0) flags.push(`auth ${c.auth.join(" ")}`);
  return flags.length === 0 ? "nothing" : flags.join(", ");
}

export const clientChecks: readonly CheckDefinition[] = [clientSession];
