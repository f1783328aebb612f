/**
 * STARTTLS command injection (CVE-2011-0411, Wietse Venema, March 2011): a server that keeps the
 * plaintext bytes that followed STARTTLS and runs them once TLS is up lets a man in the middle add
 * commands to a session the client believes protected.
 *
 * RFC 3207 §4.2: "Upon completion of the TLS handshake, the SMTP protocol is reset to the initial
 * state ... The server MUST discard any knowledge obtained from the client ... which was not obtained
 * from the TLS negotiation itself." §6 (Security Considerations) adds that the client and the server
 * must not rely on anything said before TLS.
 */
import { ProbeError } from "../errors.js";
import { type CheckDefinition, fail, notApplicable, type ProbeReply, pass, warn } from "../types.js";
import { shown } from "./support.js";

/**
 * In clear: `STARTTLS\r\nNOOP\r\n` in one write, the 220, the handshake, then silence. A reply that
 * arrives inside TLS before the probe says anything is the NOOP, injected before TLS and run inside it
 * (fail). EHLO inside TLS must then get its own 250.
 *
 * A NOOP answered in clear, between the 220 and the handshake, is not an injection into TLS, but the
 * server ran a command that followed STARTTLS instead of discarding it (warn).
 */
const starttlsInjection: CheckDefinition = {
  id: "security.starttls-injection",
  area: "security",
  title: "Commands pipelined after STARTTLS are not run inside TLS",
  rfc: "RFC 3207 §4.2, §6; CVE-2011-0411",
  async run(ctx) {
    if (ctx.options.tls === "implicit") return notApplicable("the probe uses implicit TLS: no STARTTLS to inject into");
    if (!ctx.facts.starttlsOffered) return notApplicable("STARTTLS is not offered");
    const s = await ctx.open({ tls: "none", starttls: false });
    if (s.greeting?.code !== 220 || s.ehlo?.code !== 250) return notApplicable("no cleartext EHLO session to start from");
    if (s.capabilities?.startTls !== true) return notApplicable("STARTTLS is not offered on this connection");
    s.sendRaw("STARTTLS\r\nNOOP\r\n");
    const r = await s.read();
    if (r.code !== 220) {
      // Discovery upgraded with a lone STARTTLS: a refusal now is about the command that followed it
      // (some servers refuse STARTTLS with pipelined bytes behind it, the strictest defence).
      if (ctx.facts.tls?.via === "starttls") return pass(`refused STARTTLS with a command pipelined after it (${shown(r)}): nothing reaches TLS`);
      return notApplicable(`STARTTLS answered ${shown(r)}: no TLS session to test`);
    }
    const clear: ProbeReply | undefined = await s.quiet();
    if (clear !== undefined) ctx.note("the NOOP sent after STARTTLS was answered in clear, before the TLS handshake");
    try {
      await s.startTls();
    } catch (err) {
      if (!ProbeError.isInstance(err) || err.code !== "tls-failed") throw err;
      const why = (err.message.split("\n")[0] ?? "").trim();
      return warn(`the TLS handshake after STARTTLS with a pipelined NOOP failed (${why})${clear === undefined ? "" : `; the NOOP was answered in clear (${shown(clear)})`}`);
    }
    const injected = await s.quiet();
    if (injected !== undefined) return fail(`answers commands injected before TLS (CVE-2011-0411): ${shown(injected)} arrived inside TLS before the probe sent anything`);
    const ehlo = await s.command(`EHLO ${ctx.options.helo}`);
    if (ehlo.code !== 250) return fail(`EHLO inside TLS answered ${shown(ehlo)}, not 250`);
    // A late answer to the NOOP would have been read as EHLO's reply, leaving EHLO's own to follow.
    const extra = await s.quiet();
    if (extra !== undefined) return fail(`answers commands injected before TLS (CVE-2011-0411): two replies to one EHLO inside TLS (${shown(ehlo)}, ${shown(extra)})`);
    if (clear !== undefined) return warn(`answered the NOOP pipelined after STARTTLS in clear (${shown(clear)}) instead of discarding it; nothing ran inside TLS`);
    return pass("discarded the NOOP pipelined after STARTTLS: nothing was answered inside TLS until EHLO (250)");
  },
};

export const starttlsInjectionChecks: readonly CheckDefinition[] = [starttlsInjection];
