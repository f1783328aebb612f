/** The server's entry points: what to advertise on a channel, and one exchange for a name. */
import { randomNonce } from "./bytes.js";
import { cramNonce, CramMd5Server } from "./cram-md5.js";
import { SaslError } from "./errors.js";
import { DEFAULT_MAX_RESPONSE_LENGTH, type ServerSetup } from "./exchange.js";
import { ExternalServer } from "./external.js";
import { LoginServer } from "./login.js";
import { hasBindingData, isPlaintextMechanism, isSupportedMechanism, type MechanismName, scramVariant, SUPPORTED_MECHANISMS } from "./mechanisms.js";
import { OauthBearerServer } from "./oauthbearer.js";
import { PlainServer } from "./plain.js";
import { DEFAULT_ITERATIONS } from "./scram-core.js";
import { ScramServer } from "./scram-server.js";
import type { ChannelInfo, ServerMechanism } from "./types.js";
import type { ServerVerifiers } from "./verifiers.js";
import { Xoauth2Server } from "./xoauth2.js";

/** Server policy, passed the same to `serverMechanismNames` and `createServerMechanism`. */
export interface ServerOptions {
  /**
   * Offer PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER on an unencrypted channel too. Default false:
   * RFC 4616 §4 and RFC 7628 §5 want TLS under them.
   */
  readonly allowPlaintext?: boolean;
  /** The mechanisms to offer, in this order (case-insensitive); default all that the verifiers allow, strongest first. */
  readonly mechanisms?: readonly string[];
  /** The host name in CRAM-MD5 challenges (RFC 2195 §2 msg-id); default "localhost". */
  readonly hostname?: string;
  /** Longest client response accepted, in decoded octets; default 12288 (RFC 4954 §4's line limit). */
  readonly maxResponseLength?: number;
  /** Iteration count of SCRAM keys derived from `lookupPassword`, and shown to unknown users; default 4096. */
  readonly scramIterations?: number;
  /** Test hook: the random part of SCRAM server nonces and CRAM-MD5 challenges (printable, no ","). */
  readonly nonce?: () => string;
}

/** Can `name` run with these verifiers on this channel (plaintext policy aside)? */
function usable(name: MechanismName, verifiers: ServerVerifiers, channel: ChannelInfo): boolean {
  const scram = scramVariant(name);
  if (scram !== undefined) {
    const keys = verifiers.lookupScramCredentials !== undefined || verifiers.lookupPassword !== undefined;
    return keys && (!scram.plus || hasBindingData(channel.channelBinding));
  }
  switch (name) {
    case "PLAIN":
    case "LOGIN":
      return verifiers.verifyPassword !== undefined || verifiers.lookupPassword !== undefined;
    case "CRAM-MD5":
      return verifiers.lookupPassword !== undefined;
    case "XOAUTH2":
    case "OAUTHBEARER":
      return verifiers.verifyToken !== undefined;
    case "EXTERNAL":
      return verifiers.verifyExternal !== undefined && channel.clientCertificate !== undefined;
    default:
      return false;
  }
}

function allowedByPolicy(name: string, channel: ChannelInfo, options: ServerOptions): boolean {
  return !isPlaintextMechanism(name) || channel.encrypted || options.allowPlaintext === true;
}

/** The names of `options.mechanisms` that this package implements, upper-cased, each once. */
function configured(options: ServerOptions): readonly MechanismName[] {
  if (options.mechanisms === undefined) return SUPPORTED_MECHANISMS;
  const names = options.mechanisms.map((m) => m.toUpperCase()).filter(isSupportedMechanism);
  return [...new Set(names)];
}

/**
 * What to advertise after `AUTH` in the EHLO reply on this channel, strongest first: every
 * mechanism the verifiers can serve, without the plaintext ones on an unencrypted channel (unless
 * `allowPlaintext`), without -PLUS when the transport has no channel binding data, and without
 * EXTERNAL when there is no verified client certificate.
 */
export function serverMechanismNames(verifiers: ServerVerifiers, channel: ChannelInfo, options: ServerOptions = {}): string[] {
  return configured(options).filter((name) => usable(name, verifiers, channel) && allowedByPolicy(name, channel, options));
}

function resolve(verifiers: ServerVerifiers, channel: ChannelInfo, options: ServerOptions): Omit<ServerSetup, "nonce"> {
  const maxResponseLength = options.maxResponseLength ?? DEFAULT_MAX_RESPONSE_LENGTH;
  if (!Number.isSafeInteger(maxResponseLength) || maxResponseLength < 1) throw new RangeError("maxResponseLength must be a positive integer");
  const scramIterations = options.scramIterations ?? DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(scramIterations) || scramIterations < 1) throw new RangeError("scramIterations must be a positive integer");
  return { verifiers, channel, maxResponseLength, scramIterations, hostname: options.hostname ?? "localhost" };
}

/**
 * One server exchange of mechanism `name` (case-insensitive), as the client asked in `AUTH name`.
 * Throws `SaslError`: "unsupported-mechanism" (504 5.5.4) for a name not implemented, not in
 * `options.mechanisms`, or not usable with these verifiers on this channel (-PLUS without binding
 * data, EXTERNAL without a client certificate); "encryption-required" (538 5.7.11) for a
 * plaintext mechanism on an unencrypted channel without `allowPlaintext`.
 */
export function createServerMechanism(
  name: string,
  verifiers: ServerVerifiers,
  channel: ChannelInfo,
  options: ServerOptions = {},
): ServerMechanism {
  const upper = String(name).toUpperCase();
  const offered = configured(options);
  if (!isSupportedMechanism(upper) || !offered.includes(upper)) throw new SaslError("unsupported-mechanism");
  if (!allowedByPolicy(upper, channel, options)) throw new SaslError("encryption-required");
  if (!usable(upper, verifiers, channel)) throw new SaslError("unsupported-mechanism");

  const base = resolve(verifiers, channel, options);
  const scram = scramVariant(upper);
  if (scram !== undefined) {
    const setup: ServerSetup = { ...base, nonce: options.nonce ?? (() => randomNonce()) };
    // A client that says "y" thinks this server cannot bind; it can if it offers the -PLUS name here.
    const plusName = `${upper.replace(/-PLUS$/, "")}-PLUS` as MechanismName;
    const serverBinds = offered.includes(plusName) && usable(plusName, verifiers, channel);
    return new ScramServer(setup, scram.hash, scram.plus, serverBinds);
  }
  const setup: ServerSetup = { ...base, nonce: options.nonce ?? cramNonce };
  switch (upper) {
    case "PLAIN":
      return new PlainServer(setup);
    case "LOGIN":
      return new LoginServer(setup);
    case "CRAM-MD5":
      return new CramMd5Server(setup);
    case "XOAUTH2":
      return new Xoauth2Server(setup);
    case "OAUTHBEARER":
      return new OauthBearerServer(setup);
    default:
      return new ExternalServer(setup);
  }
}
