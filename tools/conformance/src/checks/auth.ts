/**
 * AUTH with a real account (`--user`/`--password`): every mechanism the server offers, that smtp-sasl
 * can speak, must accept it. A mechanism that is offered and then fails valid credentials (a SCRAM whose
 * stored keys do not match, a CRAM-MD5 without the clear password behind it) breaks every client that
 * picks it — and clients pick the strongest offered, so it is usually the SCRAM one.
 */
import { createClientMechanism, isPlaintextMechanism, SaslError } from "@smtpkit/smtp-sasl";
import { type CheckContext, type CheckDefinition, fail, notApplicable, pass, type Verdict } from "../types.js";
import { attempt } from "./sasl-exchange.js";
import { isVerdict, readySession, shown } from "./support.js";

/** Refusals before the check stops trying, while no mechanism has accepted the account. */
const MAX_FAILURES_WITHOUT_SUCCESS = 2;

/** Mechanisms a password can drive, strongest first. */
const PASSWORD_MECHANISMS = ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"];

/**
 * RFC 4954 §4: a 235 ends a successful exchange; §6: 535 means the credentials were refused. A server
 * lists in EHLO the mechanisms it supports (§3), so each listed one must work for a valid account.
 * Each mechanism is tried on a connection of its own (after a 235, AUTH may not be given again,
 * §4). Plaintext mechanisms (PLAIN, LOGIN) are tried only inside TLS: the probe never sends a real
 * password in clear. SCRAM-*-PLUS binds the exchange to the TLS channel (RFC 5802 §6, RFC 9266): the
 * probe gives it the session's binding data, so a server whose binding does not match fails here.
 */
const authMechanisms: CheckDefinition = {
  id: "extensions.auth",
  area: "extensions",
  title: "AUTH: every offered password mechanism accepts a valid account (--user/--password)",
  rfc: "RFC 4954 §3, §4, §6; RFC 4616; RFC 2195; RFC 5802; RFC 7677",
  async run(ctx: CheckContext): Promise<Verdict> {
    const account = ctx.options.auth;
    if (account === undefined) return notApplicable("needs --user and --password: an account on the server");
    const first = await readySession(ctx);
    if (isVerdict(first)) return first;
    const offered = first.capabilities?.auth ?? [];
    const secure = first.secure;
    first.close();
    if (offered.length === 0) return notApplicable(`AUTH is not offered${secure ? " after TLS" : " (in clear)"} in the probe's session`);
    const tried: string[] = [];
    const failed: string[] = [];
    const skipped: string[] = [];
    const candidates = PASSWORD_MECHANISMS.filter((m) => offered.includes(m));
    for (const [i, name] of candidates.entries()) {
      // Two refusals and no success look like a wrong password: stop before a server that bans
      // addresses after failed logins (fail2ban and the like) bans the probe's.
      if (failed.length >= MAX_FAILURES_WITHOUT_SUCCESS && tried.length === 0) {
        skipped.push(...candidates.slice(i).map((m) => `${m} (stopped after ${failed.length} refusals)`));
        break;
      }
      if (isPlaintextMechanism(name) && !secure) {
        skipped.push(`${name} (not in clear)`);
        continue;
      }
      const s = await readySession(ctx);
      if (isVerdict(s)) return s;
      // Binding data only for -PLUS: a plain SCRAM with binding data while -PLUS is offered would be
      // refused by smtp-sasl as a downgrade; without it the client says "n" (no binding), as allowed.
      const binding = name.endsWith("-PLUS") ? s.channelBinding() : undefined;
      if (name.endsWith("-PLUS") && binding === undefined) {
        skipped.push(`${name} (needs TLS)`);
        s.close();
        continue;
      }
      const channel = binding === undefined ? { encrypted: s.secure } : { encrypted: s.secure, channelBinding: binding };
      const mech = createClientMechanism(name, { username: account.username, password: account.password }, channel, { offered });
      let outcome: string;
      try {
        const { reply } = await attempt(s, mech, true);
        if (reply.code === 235) {
          tried.push(name);
          s.close();
          continue;
        }
        outcome = shown(reply);
      } catch (err) {
        // SCRAM's client refuses a server signature that does not verify: the server is at fault.
        if (!SaslError.isInstance(err)) throw err;
        outcome = `${err.code}: ${err.message}`;
      }
      s.close();
      failed.push(`${name} → ${outcome}`);
    }
    const others = offered.filter((m) => !PASSWORD_MECHANISMS.includes(m));
    const notTried = [...skipped, ...others.map((m) => `${m} (not a password mechanism the probe drives)`)];
    const rest = notTried.length === 0 ? "" : `; not tried: ${notTried.join(", ")}`;
    if (failed.length > 0 && tried.length === 0) {
      return fail(`the account was refused (wrong --user/--password?): ${failed.join("; ")}${rest}`);
    }
    if (failed.length > 0) return fail(`offered but refusing a valid account: ${failed.join("; ")} (accepted by ${tried.join(", ")})${rest}`);
    if (tried.length === 0) return notApplicable(`no offered mechanism could be tried${rest}`);
    return pass(`the account was accepted (235) by ${tried.join(", ")}${rest}`);
  },
};

export const authChecks: readonly CheckDefinition[] = [authMechanisms];
