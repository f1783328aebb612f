/**
 * What XOAUTH2 and OAUTHBEARER share: the token check on the server, and the JSON error
 * challenge (RFC 7628 §3.2.2) — an object with a `status` and, optionally, `scope` and
 * `openid-configuration` (and Google's `schemes`).
 */
import { fromUtf8, printable, utf8 } from "./bytes.js";
import { SaslError, type OAuthError } from "./errors.js";
import type { ServerSetup } from "./exchange.js";
import { Secret } from "./secret.js";
import type { AuthIdentity } from "./types.js";
import { authorizeIdentity, callVerifier, type TokenContext, verifiedName } from "./verifiers.js";

/** The error sent for a plain `false` from `verifyToken` (RFC 6750 §3.1). */
const INVALID_TOKEN: OAuthError = { status: "invalid_token" };

/** The result of a token check: the identity, or the error challenge to send. */
export type TokenOutcome = { readonly identity: AuthIdentity } | { readonly error: OAuthError };

/** Ask `verifyToken`; a refusal names the OAuth error to put in the challenge. */
export async function checkToken(
  setup: ServerSetup,
  mechanism: string,
  username: string,
  token: string,
  extra: { readonly host?: string; readonly port?: number } = {},
): Promise<TokenOutcome> {
  const { verifiers, channel } = setup;
  const { verifyToken } = verifiers;
  if (verifyToken === undefined) throw new SaslError("unsupported-mechanism");
  const context: TokenContext = { mechanism, channel, ...extra };
  const verdict = await callVerifier(() => verifyToken.call(verifiers, username, new Secret(token), context));
  const name = verifiedName(verdict, username);
  if (name !== undefined) return { identity: await authorizeIdentity(verifiers, mechanism, name, undefined) };
  if (typeof verdict === "object" && verdict !== null && "error" in verdict && typeof verdict.error?.status === "string") {
    return { error: verdict.error };
  }
  return { error: INVALID_TOKEN };
}

/** The error challenge for `error` as bytes: only the known members, as JSON. */
export function formatOAuthError(error: OAuthError): Uint8Array {
  const json: Record<string, string> = { status: String(error.status) };
  if (error.schemes !== undefined) json.schemes = String(error.schemes);
  if (error.scope !== undefined) json.scope = String(error.scope);
  if (error.openidConfiguration !== undefined) json["openid-configuration"] = String(error.openidConfiguration);
  return utf8(JSON.stringify(json));
}

/**
 * The OAuth error a challenge carries, or `undefined` when it is not a JSON object with a string
 * `status`. Member values are cut to printable ASCII: they come from the server and end up in logs.
 */
export function parseOAuthError(challenge: Uint8Array): OAuthError | undefined {
  const text = fromUtf8(challenge);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const json = value as Record<string, unknown>;
  if (typeof json.status !== "string") return undefined;
  const member = (v: unknown) => (typeof v === "string" ? printable(v, 500) : undefined);
  const scope = member(json.scope);
  const schemes = member(json.schemes);
  const openidConfiguration = member(json["openid-configuration"]);
  return {
    status: printable(json.status, 100),
    ...(scope === undefined ? {} : { scope }),
    ...(schemes === undefined ? {} : { schemes }),
    ...(openidConfiguration === undefined ? {} : { openidConfiguration }),
  };
}

/** The failure a client records when it receives an error challenge. */
export function tokenRefused(mechanism: string, challenge: Uint8Array): SaslError {
  const oauth = parseOAuthError(challenge);
  const status = oauth === undefined ? "" : ` (status ${oauth.status})`;
  return new SaslError("bad-credentials", `${mechanism} token refused${status}`, oauth === undefined ? {} : { oauth });
}
