/**
 * TLS: whether the server offers it, which protocol versions it accepts, and what its certificate
 * would tell a sender that checks it (MTA-STS, DANE). The probe never refuses a certificate itself:
 * it reports on it.
 */
import { isIP } from "node:net";
import { ProbeError } from "../errors.js";
import type { TlsKnobs } from "../session.js";
import { type CheckContext, type CheckDefinition, fail, notApplicable, pass, type TlsSummary, type Verdict, warn } from "../types.js";
import { shown } from "./support.js";

/** Why a check that needs TLS does not apply. */
function noTls(ctx: CheckContext): Verdict {
  if (ctx.options.tls === "none") return notApplicable("the probe runs without TLS (--tls none)");
  if (!ctx.facts.starttlsOffered) return notApplicable("the server does not offer STARTTLS");
  return notApplicable("the STARTTLS upgrade did not work (see security.starttls-offered)");
}

const describe = (t: TlsSummary): string => `${t.protocol} ${t.cipher}`;

/** The readable part of an OpenSSL error ("tlsv1 alert protocol version"), else the message's first line. */
function tlsReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const openssl = /SSL routines:[^:]*:([^:]+):/.exec(message);
  return openssl?.[1] ?? (message.split("\n")[0] ?? message).slice(0, 120);
}

/**
 * RFC 3207 §4: the STARTTLS keyword in the EHLO reply, then "220 Ready to start TLS" and the
 * handshake. RFC 7435 (opportunistic security): encrypt whenever the peer can, even unauthenticated.
 * RFC 8314 §3: implicit TLS from the first octet. A server without either sends mail in clear.
 */
const starttlsOffered: CheckDefinition = {
  id: "security.starttls-offered",
  area: "security",
  title: "STARTTLS offered and working",
  rfc: "RFC 3207 §4; RFC 7435; RFC 8314 §3",
  async run(ctx) {
    const { facts } = ctx;
    if (ctx.options.tls === "implicit") {
      return facts.tls === undefined ? fail("implicit TLS did not come up") : pass(`TLS from the first octet (implicit TLS): ${describe(facts.tls)}`);
    }
    if (!facts.starttlsOffered) return warn("STARTTLS is not offered: mail to and from this server travels in clear");
    if (facts.tls !== undefined) return pass(`STARTTLS offered and the upgrade worked: ${describe(facts.tls)}`);
    // Offered, but discovery did not upgrade (probe mode "none", or the upgrade failed): try it here.
    const s = await ctx.open({ starttls: false });
    if (s.greeting?.code !== 220) return notApplicable(`the server greeted with ${s.greeting === undefined ? "nothing" : shown(s.greeting)}, not 220`);
    const r = await s.command("STARTTLS");
    if (r.code !== 220) return fail(`STARTTLS is offered but answered ${shown(r)}: the upgrade is refused`);
    try {
      const tls = await s.startTls();
      return pass(`STARTTLS offered and the upgrade worked: ${describe(tls)}${ctx.options.tls === "none" ? " (the other checks run in clear: --tls none)" : ""}`);
    } catch (err) {
      if (ProbeError.isInstance(err) && err.code === "tls-failed") return fail(`STARTTLS is offered but the TLS handshake failed: ${tlsReason(err)}`);
      throw err;
    }
  },
};

/** Protocol names below TLS 1.2, as Node reports them. */
const OLD_PROTOCOLS = new Set(["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"]);

/** Offer only TLS 1.0 and 1.1; SECLEVEL=0 lets OpenSSL 3 build such a ClientHello at all. */
const OLD_ONLY: TlsKnobs = { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" };

/** OpenSSL errors that mean our side could not offer the old protocols, not that the server refused. */
function clientCannotOffer(err: unknown): string | undefined {
  const cause = ProbeError.isInstance(err) ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const text = `${String(code)} ${cause instanceof Error ? cause.message : String(cause)}`;
  if (/NO_PROTOCOLS_AVAILABLE|NO_CIPHERS_AVAILABLE|no protocols available|no ciphers available|INVALID_PROTOCOL_VERSION/i.test(text)) {
    return text.trim();
  }
  return undefined;
}

/**
 * RFC 8996 §4/§5: "TLS 1.0 MUST NOT be used. Negotiation of TLS 1.0 from any version of TLS MUST NOT
 * be permitted." (and the same for TLS 1.1). RFC 9325 §3.1.1: "Implementations MUST NOT negotiate TLS
 * version 1.0 ... 1.1 ... MUST support TLS 1.2". Judged twice: the version the probe's session got,
 * and a second handshake that offers only TLS 1.0 and 1.1.
 */
const tlsVersion: CheckDefinition = {
  id: "security.tls-version",
  area: "security",
  title: "TLS 1.0 and 1.1 refused",
  rfc: "RFC 8996 §4, §5; RFC 9325 §3.1.1",
  async run(ctx) {
    const tls = ctx.facts.tls;
    if (tls === undefined) return noTls(ctx);
    if (OLD_PROTOCOLS.has(tls.protocol)) return fail(`the probe's session negotiated ${tls.protocol} (${tls.cipher}) although it offered TLS 1.2 and 1.3 (RFC 8996)`);
    const via = ctx.options.tls === "implicit" ? "implicit TLS" : "STARTTLS";
    let secure: boolean;
    let got: string | undefined;
    try {
      const s = await ctx.open({ hello: "EHLO", starttls: true, tlsKnobs: OLD_ONLY });
      secure = s.secure;
      got = s.tls === undefined ? undefined : describe(s.tls);
    } catch (err) {
      const local = clientCannotOffer(err);
      if (local !== undefined) {
        return notApplicable(`negotiated ${describe(tls)}; this Node/OpenSSL cannot offer TLS 1.0/1.1 to test more (${local})`);
      }
      if (ProbeError.isInstance(err) && err.code === "tls-failed") {
        return pass(`negotiated ${describe(tls)}; a ${via} handshake offering only TLS 1.0/1.1 was refused (${tlsReason(err)})`);
      }
      throw err;
    }
    if (!secure) return warn(`negotiated ${describe(tls)}, but a second connection could not start TLS to try TLS 1.0/1.1`);
    return fail(`accepts TLSv1.x (RFC 8996): a ${via} handshake offering only TLS 1.0/1.1 got ${got ?? "through"}`);
  },
};

/** A name for the report: the CN when there is one, else the whole distinguished name. */
function nameOf(dn: string | undefined): string {
  if (dn === undefined) return "?";
  const cn = /(?:^|, )CN=([^,]*)/.exec(dn);
  return cn?.[1] ?? dn;
}

/**
 * The certificate verdict from what the handshake showed, at time `now`: expired or not yet valid
 * fails; an untrusted chain or a name that does not match warns (opportunistic senders still
 * encrypt, RFC 7435; MTA-STS and DANE senders refuse); otherwise pass.
 */
export function judgeCertificate(t: TlsSummary, now: number, connectedByAddress: boolean): Verdict {
  const from = t.validFrom === undefined ? Number.NaN : Date.parse(t.validFrom);
  const to = t.validTo === undefined ? Number.NaN : Date.parse(t.validTo);
  const cert = `${nameOf(t.subject)} issued by ${nameOf(t.issuer)}, valid ${t.validFrom ?? "?"} to ${t.validTo ?? "?"}`;
  const session = `${t.protocol} ${t.cipher}`;
  if (t.subject === undefined) return fail(`${session}: the server sent no certificate`);
  if (!Number.isNaN(to) && now > to) return fail(`${session}: the certificate expired (${cert})`);
  if (!Number.isNaN(from) && now < from) return fail(`${session}: the certificate is not valid yet (${cert})`);
  // Node folds a name mismatch into `authorized` too; the chain itself is fine then.
  const chainTrusted = t.trusted || t.trustError === "ERR_TLS_CERT_ALTNAME_INVALID";
  const problems = [
    ...(chainTrusted ? [] : [`is not trusted (${t.trustError ?? "unknown issuer"})`]),
    ...(t.nameMatches === false ? [`does not name ${t.servername ?? "the server"} (${t.altNames ?? "no subjectAltName"})`] : []),
  ];
  if (problems.length > 0) return warn(`${session}: certificate ${cert} ${problems.join(" and ")}; an MTA-STS sender would refuse it (a DANE sender only with a matching TLSA record)`);
  if (t.nameMatches === undefined) {
    const why = connectedByAddress ? "connected by address" : "no server name";
    return pass(`${session}: certificate ${cert}, trusted; name not checked (${why}: use --servername)`);
  }
  return pass(`${session}: certificate ${cert}, trusted and names ${t.servername}`);
}

/**
 * RFC 9525 §6 (was RFC 6125): the presented identifier must match the reference identifier; RFC 7817
 * §3 applies that to mail servers; RFC 8461 §4: an MTA-STS sender requires a certificate that
 * chains to a trusted root, names the MX host and is not expired. Self-signed certificates are common
 * on MX hosts and still give opportunistic encryption, so they warn; an expired one fails.
 */
const tlsCertificate: CheckDefinition = {
  id: "security.tls-certificate",
  area: "security",
  title: "TLS certificate",
  rfc: "RFC 9525 §6; RFC 7817 §3; RFC 8461 §4",
  async run(ctx) {
    const tls = ctx.facts.tls;
    if (tls === undefined) return noTls(ctx);
    return judgeCertificate(tls, Date.now(), isIP(ctx.options.host) !== 0 && ctx.options.servername === undefined);
  },
};

export const tlsChecks: readonly CheckDefinition[] = [starttlsOffered, tlsVersion, tlsCertificate];
