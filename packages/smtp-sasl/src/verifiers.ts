/**
 * The application's side of a server exchange: async callbacks that look users up. Every
 * callback is optional; a mechanism is offered only when the callbacks it needs are there.
 */
import { createHash } from "node:crypto";
import { sameBytes } from "./bytes.js";
import { SaslError, type OAuthError } from "./errors.js";
import type { Secret } from "./secret.js";
import type { AuthIdentity, ChannelInfo } from "./types.js";

export type ScramHash = "SHA-1" | "SHA-256";

/** What every verifier is told about the exchange besides its own arguments. */
export interface VerifyContext {
  /** The mechanism name, upper-case. */
  readonly mechanism: string;
  /** The authorization identity the client asked for, when it sent one (information only: see `authorize`). */
  readonly authzid?: string;
  /** The channel the exchange runs on. */
  readonly channel: ChannelInfo;
}

/** OAUTHBEARER adds the host and port the client says it connected to (RFC 7628 §3.1). */
export interface TokenContext extends VerifyContext {
  readonly host?: string;
  readonly port?: number;
}

/** A successful check that names the user, e.g. the canonical spelling of the name that was typed. */
export interface VerifiedUser {
  readonly username: string;
}

/**
 * SCRAM's stored credentials (RFC 5802 §3): the server never needs the password. `storedKey` is
 * H(ClientKey) and `serverKey` HMAC(SaltedPassword, "Server Key"), of the hash the mechanism uses.
 */
export interface ScramCredentials {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Secret | Uint8Array;
  readonly serverKey: Secret | Uint8Array;
}

/** The outcome of a token check: `true` / a user, or a refusal with the OAuth error to send back. */
export type TokenVerdict = boolean | VerifiedUser | { readonly error: OAuthError };

/** The TLS client certificate's identity, as the transport put it in `ChannelInfo.clientCertificate`. */
export type ClientCertificate = NonNullable<ChannelInfo["clientCertificate"]>;

/**
 * The callbacks a server passes to `createServerMechanism` / `serverMechanismNames`. A callback
 * that throws or rejects ends the exchange with `SaslError("temporary")` (454 4.7.0), unless it
 * throws a `SaslError` itself (e.g. `new SaslError("too-weak")` for a user who must use SCRAM),
 * which is passed on as it is.
 */
export interface ServerVerifiers {
  /**
   * PLAIN, LOGIN: is `password` right for `username`? `true`, or `{ username }` to name the user
   * differently in the identity; `false` for a wrong password or an unknown user.
   */
  verifyPassword?(username: string, password: Secret, context: VerifyContext): Promise<boolean | VerifiedUser>;
  /**
   * The plaintext password of `username`, or `undefined` for an unknown user. CRAM-MD5 needs it
   * (RFC 2195 keys HMAC-MD5 with the password itself); PLAIN and LOGIN use it when there is no
   * `verifyPassword` (compared in constant time); SCRAM uses it when there is no
   * `lookupScramCredentials` (deriving the keys on each attempt, at `scramIterations`).
   */
  lookupPassword?(username: string, context: VerifyContext): Promise<Secret | undefined>;
  /**
   * SCRAM-SHA-1(-PLUS), SCRAM-SHA-256(-PLUS): the stored salted keys of `username` for `hash`
   * (from `deriveScramCredentials`), or `undefined` for an unknown user.
   */
  lookupScramCredentials?(username: string, hash: ScramHash, context: VerifyContext): Promise<ScramCredentials | undefined>;
  /**
   * XOAUTH2, OAUTHBEARER: is `token` a valid access token for `username`? For OAUTHBEARER the user
   * name is the gs2 `a=` (empty when the client sent none: then return `{ username }`). A refusal
   * may carry the OAuth error to send back; `false` sends `{"status":"invalid_token"}`.
   */
  verifyToken?(username: string, token: Secret, context: TokenContext): Promise<TokenVerdict>;
  /** EXTERNAL: the user the verified TLS client certificate belongs to, or `undefined`. */
  verifyExternal?(certificate: ClientCertificate, context: VerifyContext): Promise<VerifiedUser | undefined>;
  /**
   * May `identity.username` act as `identity.authzid`? Asked only when a client sent an
   * authorization identity that differs from the user name (PLAIN, SCRAM, EXTERNAL). Without this
   * callback such requests are refused ("not-authorized", 535 5.7.8).
   */
  authorize?(identity: AuthIdentity): Promise<boolean>;
}

/** Run a verifier: a `SaslError` passes through, anything else thrown becomes "temporary". */
export async function callVerifier<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (SaslError.isInstance(cause)) throw cause;
    throw new SaslError("temporary", undefined, { cause });
  }
}

/** The user name a `true` / `{ username }` verdict stands for, or `undefined` for a refusal (an empty name is one). */
export function verifiedName(verdict: unknown, username: string): string | undefined {
  const name = verdict === true ? username : typeof verdict === "object" && verdict !== null ? (verdict as VerifiedUser).username : undefined;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * PLAIN and LOGIN: check a password with `verifyPassword`, else against `lookupPassword`. Returns
 * the verified user name or `undefined`.
 */
export async function checkPassword(
  verifiers: ServerVerifiers,
  username: string,
  password: Secret,
  context: VerifyContext,
): Promise<string | undefined> {
  const { verifyPassword, lookupPassword } = verifiers;
  if (verifyPassword !== undefined) {
    const verdict = await callVerifier(() => verifyPassword.call(verifiers, username, password, context));
    return verifiedName(verdict, username);
  }
  if (lookupPassword !== undefined) {
    const stored = await callVerifier(() => lookupPassword.call(verifiers, username, context));
    // Compare digests, so that neither the content nor the length of the password leaks through
    // timing; an unknown user costs the same hashing.
    const expected = sha256(stored === undefined ? new Uint8Array(0) : stored.revealBytes());
    const ok = sameBytes(sha256(password.revealBytes()), expected);
    return ok && stored !== undefined ? username : undefined;
  }
  return undefined;
}

/**
 * The identity to report, after asking `authorize` when the client asked to act as someone else.
 * An authzid equal to the user name is dropped.
 */
export async function authorizeIdentity(
  verifiers: ServerVerifiers,
  mechanism: string,
  username: string,
  authzid: string | undefined,
): Promise<AuthIdentity> {
  if (authzid === undefined || authzid === "" || authzid === username) return { mechanism, username };
  const identity: AuthIdentity = { mechanism, username, authzid };
  const { authorize } = verifiers;
  if (authorize === undefined) throw new SaslError("not-authorized");
  const allowed = await callVerifier(() => authorize.call(verifiers, identity));
  if (allowed !== true) throw new SaslError("not-authorized");
  return identity;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}
