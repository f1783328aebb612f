/** Choosing the mechanism a client uses, from what the server advertised. */
import { createClientMechanism } from "./client.js";
import type { ClientCredentials } from "./credentials.js";
import { SaslError } from "./errors.js";
import { hasBindingData, scramVariant, SUPPORTED_MECHANISMS } from "./mechanisms.js";
import type { ChannelInfo } from "./types.js";

/**
 * The client's default preference: SCRAM-SHA-256-PLUS > SCRAM-SHA-256 > SCRAM-SHA-1-PLUS >
 * SCRAM-SHA-1 > OAUTHBEARER > XOAUTH2 > CRAM-MD5 > PLAIN > LOGIN — the order a server advertises
 * them in, without EXTERNAL, which goes first only when the credentials ask for it.
 */
export const CLIENT_MECHANISM_ORDER: readonly string[] = SUPPORTED_MECHANISMS.filter((name) => name !== "EXTERNAL");

export interface ChooseOptions {
  /** The channel is encrypted (TLS). */
  readonly encrypted: boolean;
  /** Allow PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER on an unencrypted channel. Default false. */
  readonly allowPlaintext?: boolean;
  /** The channel binding data the transport has, as in `ChannelInfo`: enables the -PLUS variants. */
  readonly channelBinding?: ChannelInfo["channelBinding"];
  /** Your own preference order (case-insensitive), instead of `CLIENT_MECHANISM_ORDER`. */
  readonly mechanisms?: readonly string[];
}

function defaultOrder(credentials: ClientCredentials, binding: boolean): string[] {
  const order = [...CLIENT_MECHANISM_ORDER];
  // With binding data, every -PLUS name comes before every plain SCRAM: choosing SCRAM-SHA-256
  // while the server offers SCRAM-SHA-1-PLUS would send "y" to a server that binds, and fail.
  if (binding) order.splice(0, 4, "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1");
  if (credentials.external === true) order.unshift("EXTERNAL");
  return order;
}

/**
 * The strongest mechanism that the server offered (`offered`, e.g. `Capabilities.auth`) and the
 * credentials can use, or `undefined` when there is none. A mechanism is skipped when
 * `createClientMechanism` would refuse it: credentials missing or not representable, a plaintext
 * mechanism on an unencrypted channel without `allowPlaintext`, -PLUS without binding data.
 *
 * Throws `SaslError("downgrade")` when the client has channel binding data and the order picked a
 * SCRAM name without -PLUS although the server offered the same name with -PLUS (possible only
 * with `options.mechanisms`).
 */
export function chooseMechanism(offered: readonly string[], credentials: ClientCredentials, options: ChooseOptions): string | undefined {
  const binding = hasBindingData(options.channelBinding);
  const available = new Set(offered.map((m) => m.toUpperCase()));
  const channel: ChannelInfo = options.channelBinding === undefined ? { encrypted: options.encrypted } : { encrypted: options.encrypted, channelBinding: options.channelBinding };
  const clientOptions = { allowPlaintext: options.allowPlaintext === true };
  const canUse = (name: string): boolean => {
    if (!available.has(name)) return false;
    try {
      createClientMechanism(name, credentials, channel, clientOptions);
      return true;
    } catch (error) {
      if (SaslError.isInstance(error)) return false;
      throw error;
    }
  };

  const order = options.mechanisms?.map((m) => m.toUpperCase()) ?? defaultOrder(credentials, binding);
  const chosen = order.find(canUse);
  if (chosen !== undefined && binding && scramVariant(chosen)?.plus === false && canUse(`${chosen}-PLUS`)) {
    throw new SaslError("downgrade", `${chosen} chosen although the server offers ${chosen}-PLUS`);
  }
  return chosen;
}
