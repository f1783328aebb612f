/** What a client authenticates with, and the checks that a value can be carried by a mechanism. */
import { isWellFormed } from "./bytes.js";
import { SaslError } from "./errors.js";
import { Secret } from "./secret.js";

/**
 * The client's credentials; each mechanism uses the fields it needs (see `chooseMechanism`).
 * Passwords and tokens may be given as strings: they are wrapped in `Secret` at once.
 */
export interface ClientCredentials {
  /** The authentication identity (authcid): PLAIN, LOGIN, CRAM-MD5, SCRAM, XOAUTH2; OAUTHBEARER's `a=`. */
  readonly username?: string;
  /** PLAIN, LOGIN, CRAM-MD5, SCRAM. */
  readonly password?: string | Secret;
  /** An OAuth 2.0 access token (RFC 6750 b64token): XOAUTH2, OAUTHBEARER. */
  readonly token?: string | Secret;
  /** The authorization identity, to act as another user (PLAIN, SCRAM, EXTERNAL). */
  readonly authzid?: string;
  /** OAUTHBEARER: the host name and port the client connected to (RFC 7628 §3.1, optional). */
  readonly host?: string;
  readonly port?: number;
  /** Authenticate with the TLS client certificate the transport presented (EXTERNAL). */
  readonly external?: boolean;
}

/** Does `value` contain one of the characters of `chars`? */
function containsAny(value: string, chars: string): boolean {
  for (const c of chars) if (value.includes(c)) return true;
  return false;
}

/**
 * `value` as a non-empty, well-formed string without any of the characters in `forbidden`; else
 * `SaslError("unrepresentable")` naming `what` (never the value).
 */
export function textFor(mechanism: string, what: string, value: string | undefined, forbidden = ""): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new SaslError("unsupported-mechanism", `${mechanism} needs a ${what}`);
  }
  if (!isWellFormed(value) || containsAny(value, forbidden)) {
    throw new SaslError("unrepresentable", `${mechanism} cannot carry this ${what}`);
  }
  return value;
}

/**
 * The password or token as a Secret: `SaslError("unsupported-mechanism")` when it is missing or
 * empty, `SaslError("unrepresentable")` when it is not well-formed or `forbidden` occurs in it.
 */
export function secretFor(mechanism: string, what: string, value: string | Secret | undefined, forbidden = ""): Secret {
  if (value === undefined) throw new SaslError("unsupported-mechanism", `${mechanism} needs a ${what}`);
  const secret = Secret.from(value);
  const text = secret.reveal();
  if (text.length === 0) throw new SaslError("unsupported-mechanism", `${mechanism} needs a ${what}`);
  if (!isWellFormed(text) || containsAny(text, forbidden)) {
    throw new SaslError("unrepresentable", `${mechanism} cannot carry this ${what}`);
  }
  return secret;
}

/**
 * b64token (RFC 6750 §2.1): the token syntax of a Bearer credential, which XOAUTH2 and OAUTHBEARER
 * carry after "Bearer ".
 */
export const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
