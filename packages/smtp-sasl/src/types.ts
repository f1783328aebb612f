import type { SaslError } from "./errors.js";

/**
 * The shapes smtp-client and smtp-server-core code against. A mechanism is a small state machine
 * over bytes; base64 and the SMTP `334` lines belong to the transport, not here.
 */

/** Who authenticated: the authentication identity, and the authorization identity when one was asked for. */
export interface AuthIdentity {
  /** Mechanism name as negotiated, upper-case (e.g. "SCRAM-SHA-256-PLUS"). */
  readonly mechanism: string;
  /** The authentication identity (authcid): user name, token subject, or certificate subject. */
  readonly username: string;
  /** The authorization identity (authzid) when the client asked to act as someone else. */
  readonly authzid?: string;
}

/** One step of a server mechanism: either a challenge to send (334), or the end with an identity (235). */
export type ServerStep =
  | { readonly done: false; readonly challenge: Uint8Array }
  | { readonly done: true; readonly identity: AuthIdentity; readonly additionalData?: Uint8Array };

/**
 * Server side of one exchange. `next(undefined)` starts it when the client sent no initial response;
 * each later call gets the decoded client response. Rejects only with `SaslError`.
 */
export interface ServerMechanism {
  readonly name: string;
  next(response: Uint8Array | undefined): Promise<ServerStep>;
}

/**
 * Client side of one exchange (DESIGN.md): `start()` then `next(challenge)` for each 334. `start`
 * may offer an initial response (RFC 4954 §4); a transport that does not send it gets an empty
 * 334 challenge first, and `next` answers it with the same data. Each call rejects only with
 * `SaslError`; on a rejection the transport cancels the exchange with `*`.
 */
export interface ClientMechanism {
  readonly name: string;
  start(): Promise<{ readonly initialResponse?: Uint8Array }>;
  next(challenge: Uint8Array): Promise<Uint8Array>;
  /**
   * Call when the server reports success (235), before trusting it: rejects with `SaslError` if the
   * mechanism has not finished — SCRAM has not yet verified the server signature
   * ("bad-server-signature"). `additionalData` is success data for protocols that carry it (SMTP
   * does not: RFC 4954 sends it in a 334 instead). Every mechanism of this package has it.
   */
  finish?(additionalData?: Uint8Array): Promise<void>;
  /**
   * Set when a challenge told the client that the exchange has failed (an XOAUTH2/OAUTHBEARER error
   * challenge: code "bad-credentials" with `oauth` set). The client still answers it as the
   * mechanism requires; the server's final reply follows.
   */
  readonly failure?: SaslError | undefined;
}

/** What the transport knows about the channel, for channel binding, EXTERNAL and plaintext policy. */
export interface ChannelInfo {
  /** The connection is encrypted (TLS). */
  readonly encrypted: boolean;
  /** Channel-binding data by type, when the transport can supply it (RFC 5929, RFC 9266). */
  readonly channelBinding?: {
    readonly "tls-exporter"?: Uint8Array;
    readonly "tls-server-end-point"?: Uint8Array;
  };
  /** The verified TLS client certificate's identity, for EXTERNAL. */
  readonly clientCertificate?: { readonly subject: string; readonly fingerprint256?: string };
}
