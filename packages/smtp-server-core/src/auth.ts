/**
 * AUTH (RFC 4954) over smtp-sasl's server mechanisms: initial responses, 334 challenges, `*`
 * cancellation, plaintext refused before TLS (538 5.7.11, §4 and §6), a delay before each 535 and
 * 421 after too many failures.
 */
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { type LineResult, decodeBase64, encodeBase64 } from "@smtpkit/smtp-codec";
import {
  type ChannelInfo,
  SaslError,
  type ServerOptions as SaslOptions,
  cancelled,
  createServerMechanism,
  isPlaintextMechanism,
  saslErrorReply,
  serverMechanismNames,
} from "@smtpkit/smtp-sasl";
import { bad } from "./commands.js";
import { errorFields } from "./logger.js";
import { R } from "./replies.js";
import { type Connection, Mode } from "./session.js";
import { channelBinding } from "./tls.js";

/** Failures that count towards `maxAuthFailures`: the client proved nothing. */
const COUNTED = new Set(["bad-credentials", "not-authorized", "downgrade", "channel-binding"]);
/** RFC 4954 §4: AUTH lines may be up to 12288 octets, well over the 512 of other commands. */
export const MAX_AUTH_LINE = 12288;
const NONE: readonly string[] = Object.freeze([]);

const channels = new WeakMap<Duplex, ChannelInfo>();
const saslOptions = new WeakMap<object, SaslOptions>();

/** smtp-sasl's policy options, built once per server. */
function optionsOf(c: Connection): SaslOptions {
  let o = saslOptions.get(c.ctx);
  if (o === undefined) {
    const { mechanisms, allowInsecure } = c.ctx.auth;
    o = mechanisms === undefined ? { allowPlaintext: allowInsecure, hostname: c.ctx.hostname } : { allowPlaintext: allowInsecure, hostname: c.ctx.hostname, mechanisms };
    saslOptions.set(c.ctx, o);
  }
  return o;
}

export function authAvailable(c: Connection): boolean {
  return c.ctx.hooks.onAuth !== undefined;
}

function tlsAvailable(c: Connection): boolean {
  return c.ctx.tls !== undefined && c.ctx.ext.starttls;
}

/** What smtp-sasl is told about the channel: encryption, binding data, a verified client certificate. */
export function channelOf(c: Connection): ChannelInfo {
  const hit = channels.get(c.socket);
  if (hit !== undefined) return hit;
  let channel: ChannelInfo = { encrypted: c.info.secure };
  if (c.info.secure) {
    const cert = c.info.tls?.clientCertificate;
    const base = { encrypted: true, channelBinding: channelBinding(c.socket as TLSSocket) };
    channel =
      cert?.authorized === true
        ? { ...base, clientCertificate: { subject: cert.subject, fingerprint256: cert.fingerprint256 } }
        : base;
  }
  channels.set(c.socket, channel);
  return channel;
}

/**
 * The mechanisms to advertise. None before TLS when TLS is available (unless insecure AUTH is
 * allowed): a client that would AUTH in the clear must first be offered STARTTLS. Without TLS at
 * all, only mechanisms that do not reveal the secret.
 */
export function offeredMechanisms(c: Connection): readonly string[] {
  const verifiers = c.ctx.hooks.onAuth;
  if (verifiers === undefined) return NONE;
  const insecureOk = c.info.secure || c.ctx.auth.allowInsecure;
  if (!insecureOk && tlsAvailable(c)) return NONE;
  return serverMechanismNames(verifiers, channelOf(c), optionsOf(c));
}

export async function handleAuth(c: Connection, mechanism: string, initialResponse: Uint8Array | undefined): Promise<void> {
  const verifiers = c.ctx.hooks.onAuth;
  if (verifiers === undefined) return bad(c, R.noAuth);
  if (c.info.helo === undefined || !c.esmtp) return bad(c, R.sendHeloFirst);
  if (c.info.auth !== undefined) return bad(c, R.alreadyAuthenticated);
  if (c.tx !== undefined) return bad(c, R.authInTransaction);
  if (!c.info.secure && !c.ctx.auth.allowInsecure && (tlsAvailable(c) || isPlaintextMechanism(mechanism))) {
    c.out.add(R.encryptionRequired);
    return;
  }
  if (!offeredMechanisms(c).includes(mechanism)) {
    c.out.add(R.unrecognizedAuthMechanism);
    return;
  }
  try {
    c.authMech = createServerMechanism(mechanism, verifiers, channelOf(c), optionsOf(c));
  } catch (err) {
    c.out.add(saslErrorReply(err));
    return;
  }
  await step(c, initialResponse);
}

/** A continuation line of the exchange (the client's answer to a 334). */
export async function authLine(c: Connection, l: LineResult): Promise<void> {
  if (l.tooLong) return fail(c, new SaslError("too-long"));
  if (l.ending !== "CRLF" || l.bareCr) return fail(c, new SaslError("malformed"));
  const line = l.line;
  if (line.length === 1 && line[0] === 0x2a) return fail(c, cancelled());
  let response: Uint8Array;
  try {
    response = decodeBase64(Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString("latin1"));
  } catch {
    return fail(c, new SaslError("malformed"));
  }
  await step(c, response);
}

async function step(c: Connection, response: Uint8Array | undefined): Promise<void> {
  const mech = c.authMech;
  if (mech === undefined) return;
  try {
    const s = await c.guard(mech.next(response));
    if (!s.done) {
      // 334 carries no enhanced code (RFC 2034 §4); an empty challenge is "334 " (RFC 4954 §4).
      c.out.addText(`334 ${encodeBase64(s.challenge)}\r\n`);
      c.setMode(Mode.Auth);
      c.flush();
      return;
    }
    c.authMech = undefined;
    c.setMode(Mode.Command);
    const hook = c.ctx.hooks.onAuthenticated;
    if (hook !== undefined) {
      try {
        await c.guard(hook.call(c.ctx.hooks, s.identity, c.info));
      } catch (err) {
        c.out.add(c.replyFor(err, "onAuthenticated"));
        return;
      }
    }
    c.info.auth = s.identity;
    c.ctx.logger.info({ session: c.info.id, mechanism: s.identity.mechanism, username: s.identity.username }, "authenticated");
    c.out.add(R.authSucceeded);
  } catch (err) {
    await fail(c, err);
  }
}

async function fail(c: Connection, err: unknown): Promise<void> {
  c.authMech = undefined;
  if (c.mode === Mode.Auth) c.setMode(Mode.Command);
  if (!SaslError.isInstance(err)) {
    c.ctx.logger.error({ session: c.info.id, err: errorFields(err) }, "AUTH failed locally");
  } else if (err.code === "temporary") {
    c.ctx.logger.warn({ session: c.info.id, err: errorFields(err.cause ?? err) }, "AUTH verifier failed");
  }
  const reply = saslErrorReply(err);
  if (!SaslError.isInstance(err) || !COUNTED.has(err.code)) {
    c.out.add(reply);
    return;
  }
  c.authFailures++;
  c.ctx.logger.info({ session: c.info.id, failures: c.authFailures }, "AUTH credentials refused");
  // A delay before each 535 slows password guessing down; the limit ends the session.
  const delay = c.ctx.limits.authFailureDelay;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  if (c.mode === Mode.Closed) return;
  c.out.add(reply);
  const max = c.ctx.limits.maxAuthFailures;
  if (max > 0 && c.authFailures >= max) c.close(R.tooManyAuthFailures);
}
