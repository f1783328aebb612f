/** The mechanism names this package implements, strongest first, and what each needs. */
import type { ChannelInfo } from "./types.js";
import type { ScramHash } from "./verifiers.js";

/**
 * Every mechanism implemented here, in the order a server advertises them: EXTERNAL (only offered
 * with a verified client certificate), SCRAM with channel binding, SCRAM, the OAuth 2.0 bearer
 * mechanisms, CRAM-MD5, then the plaintext ones.
 */
export const SUPPORTED_MECHANISMS = [
  "EXTERNAL",
  "SCRAM-SHA-256-PLUS",
  "SCRAM-SHA-256",
  "SCRAM-SHA-1-PLUS",
  "SCRAM-SHA-1",
  "OAUTHBEARER",
  "XOAUTH2",
  "CRAM-MD5",
  "PLAIN",
  "LOGIN",
] as const;

export type MechanismName = (typeof SUPPORTED_MECHANISMS)[number];

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_MECHANISMS);

export function isSupportedMechanism(name: string): name is MechanismName {
  return SUPPORTED.has(name);
}

/**
 * Mechanisms that hand the password or a bearer token to anyone who can read the channel: a
 * server offers them, and a client uses them, only over TLS unless told otherwise (RFC 4616 §4,
 * RFC 7628 §5).
 */
export const PLAINTEXT_MECHANISMS: ReadonlySet<string> = new Set(["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"]);

export function isPlaintextMechanism(name: string): boolean {
  return PLAINTEXT_MECHANISMS.has(name.toUpperCase());
}

/** The hash and channel binding of a SCRAM name, or `undefined` for any other mechanism. */
export function scramVariant(name: string): { readonly hash: ScramHash; readonly plus: boolean } | undefined {
  switch (name) {
    case "SCRAM-SHA-256-PLUS":
      return { hash: "SHA-256", plus: true };
    case "SCRAM-SHA-256":
      return { hash: "SHA-256", plus: false };
    case "SCRAM-SHA-1-PLUS":
      return { hash: "SHA-1", plus: true };
    case "SCRAM-SHA-1":
      return { hash: "SHA-1", plus: false };
    default:
      return undefined;
  }
}

/** Whether the transport gave any channel binding data. */
export function hasBindingData(binding: ChannelInfo["channelBinding"]): boolean {
  return binding?.["tls-exporter"] !== undefined || binding?.["tls-server-end-point"] !== undefined;
}
