/** The client's entry point: one exchange of a named mechanism with the caller's credentials. */
import { randomNonce } from "./bytes.js";
import type { ClientCredentials } from "./credentials.js";
import { CramMd5Client } from "./cram-md5.js";
import { SaslError } from "./errors.js";
import { ExternalClient } from "./external.js";
import type { ChannelBindingType } from "./gs2.js";
import { LoginClient } from "./login.js";
import { hasBindingData, isPlaintextMechanism, isSupportedMechanism, scramVariant } from "./mechanisms.js";
import { OauthBearerClient } from "./oauthbearer.js";
import { PlainClient } from "./plain.js";
import { type ScramBinding, ScramClient } from "./scram-client.js";
import { DEFAULT_ITERATIONS } from "./scram-core.js";
import type { ChannelInfo, ClientMechanism } from "./types.js";
import { Xoauth2Client } from "./xoauth2.js";

export interface ClientOptions {
  /** Use PLAIN, LOGIN, XOAUTH2 or OAUTHBEARER on an unencrypted channel. Default false. */
  readonly allowPlaintext?: boolean;
  /**
   * The mechanisms the server advertised. With it, a SCRAM name without -PLUS is refused
   * ("downgrade") when the client has channel binding data and the server offered the same name
   * with -PLUS (RFC 5802 §6).
   */
  readonly offered?: readonly string[];
  /** The channel binding type for -PLUS; default "tls-exporter" when its data is there (RFC 9266), else "tls-server-end-point". */
  readonly channelBindingType?: ChannelBindingType;
  /** SCRAM: the lowest iteration count accepted from a server; default 4096 (RFC 7677 §4). */
  readonly minIterations?: number;
  /** SCRAM: the highest iteration count accepted from a server; default 1,000,000. */
  readonly maxIterations?: number;
  /** Test hook: the SCRAM client nonce (printable, no ","); default 18 random octets in base64. */
  readonly nonce?: () => string;
}

/** Default `maxIterations`: about a second of PBKDF2-SHA-256 on a current core. */
export const DEFAULT_MAX_ITERATIONS = 1_000_000;

function bindingType(channel: ChannelInfo, options: ClientOptions): ChannelBindingType | undefined {
  const data = channel.channelBinding;
  if (options.channelBindingType !== undefined) return data?.[options.channelBindingType] === undefined ? undefined : options.channelBindingType;
  if (data?.["tls-exporter"] !== undefined) return "tls-exporter";
  if (data?.["tls-server-end-point"] !== undefined) return "tls-server-end-point";
  return undefined;
}

/** Did the server offer the -PLUS variant of the SCRAM mechanism `name`? */
function offersPlusOf(name: string, offered: readonly string[] | undefined): boolean {
  return offered?.some((m) => m.toUpperCase() === `${name}-PLUS`) === true;
}

/** The gs2 channel binding flag of a SCRAM client (RFC 5802 §6). */
function scramBinding(name: string, plus: boolean, channel: ChannelInfo, options: ClientOptions): ScramBinding {
  if (plus) {
    const type = bindingType(channel, options);
    const data = type === undefined ? undefined : channel.channelBinding?.[type];
    if (type === undefined || data === undefined) throw new SaslError("unsupported-mechanism", `${name} needs channel binding data`);
    return { flag: "p", type, data };
  }
  if (!hasBindingData(channel.channelBinding)) return { flag: "n" };
  // RFC 5802 §6: a client that can bind uses "y" only when it did not see the -PLUS name; if it
  // did, choosing the name without -PLUS is a downgrade (an attacker may have stripped nothing, but
  // the server would refuse "y" anyway).
  if (offersPlusOf(name, options.offered)) throw new SaslError("downgrade", `${name} chosen although the server offers ${name}-PLUS`);
  return { flag: "y" };
}

/**
 * One client exchange of mechanism `name` (case-insensitive). Throws `SaslError` before anything
 * is sent: "unsupported-mechanism" for a name not implemented or credentials it needs missing (or
 * -PLUS without binding data), "encryption-required" for a plaintext mechanism on an unencrypted
 * channel without `allowPlaintext`, "unrepresentable" for credentials the mechanism cannot carry,
 * "downgrade" (see `ClientOptions.offered`).
 */
export function createClientMechanism(
  name: string,
  credentials: ClientCredentials,
  channel: ChannelInfo,
  options: ClientOptions = {},
): ClientMechanism {
  const upper = String(name).toUpperCase();
  if (!isSupportedMechanism(upper)) throw new SaslError("unsupported-mechanism");
  if (isPlaintextMechanism(upper) && !channel.encrypted && options.allowPlaintext !== true) {
    throw new SaslError("encryption-required", `${upper} would reveal the credentials on an unencrypted channel`);
  }
  const scram = scramVariant(upper);
  if (scram !== undefined) {
    const minIterations = options.minIterations ?? DEFAULT_ITERATIONS;
    const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
    if (!Number.isSafeInteger(minIterations) || !Number.isSafeInteger(maxIterations) || minIterations < 1 || maxIterations < minIterations) {
      throw new RangeError("minIterations and maxIterations must be positive integers, min <= max");
    }
    const binding = scramBinding(upper, scram.plus, channel, options);
    const nonce = (options.nonce ?? randomNonce)();
    return new ScramClient(scram.hash, binding, credentials, { minIterations, maxIterations }, nonce);
  }
  switch (upper) {
    case "PLAIN":
      return new PlainClient(credentials.username, credentials.password, credentials.authzid);
    case "LOGIN":
      return new LoginClient(credentials.username, credentials.password);
    case "CRAM-MD5":
      return new CramMd5Client(credentials.username, credentials.password);
    case "XOAUTH2":
      return new Xoauth2Client(credentials.username, credentials.token);
    case "OAUTHBEARER":
      return new OauthBearerClient(credentials.username, credentials.token, credentials.host, credentials.port);
    default:
      if (credentials.external !== true) throw new SaslError("unsupported-mechanism", "EXTERNAL needs credentials.external");
      return new ExternalClient(credentials.authzid);
  }
}
