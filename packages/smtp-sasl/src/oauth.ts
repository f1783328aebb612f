/**
 * What XOAUTH2 and OAUTHBEARER share: the Bearer token (RFC 6750 §2.1), the token check on the
 * server, the JSON error challenge (RFC 7628 §3.2.2) — an object with a `status` and, optionally,
 * `scope` and `openid-configuration` (and Google's `schemes`) — and the one round of it: the client
 * answers the error challenge, and the server then fails the exchange.
 */
import { fromUtf8, printable, utf8 } from "./bytes.js";
import { B64TOKEN, secretFor } from "./credentials.js";
import { SaslError, type OAuthError } from "./errors.js";
import { challenge, ClientFirstClient, ClientFirstServer, type ServerSetup } from "./exchange.js";
import { Secret } from "./secret.js";
import type { AuthIdentity, ServerStep } from "./types.js";
import { authorizeIdentity, callVerifier, type TokenContext, verifiedName } from "./verifiers.js";

/** credentials = "Bearer" SP b64token (RFC 6750 §2.1; the scheme name is case-insensitive). */
const BEARER_CREDENTIALS = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token as a Secret; `SaslError("unrepresentable")` when it is not a b64token (RFC 6750 §2.1). */
export function bearerToken(mechanism: string, token: string | Secret | undefined): Secret {
  const bearer = secretFor(mechanism, "token", token);
  if (!B64TOKEN.test(bearer.reveal())) throw new SaslError("unrepresentable", `${mechanism} token must be a b64token (RFC 6750 §2.1)`);
  return bearer;
}

/** The token of an `auth` value "Bearer <b64token>", or `undefined` when it is not one. */
export function parseBearer(value: string): string | undefined {
  return BEARER_CREDENTIALS.exec(value)?.[1];
}

/** What a client message carries: the user the token is for, the token, and OAUTHBEARER's host and port. */
export interface TokenMessage {
  readonly username: string;
  readonly token: string;
  readonly host?: string;
  readonly port?: number;
}

/** The error sent for a plain `false` from `verifyToken` (RFC 6750 §3.1). */
const INVALID_TOKEN: OAuthError = { status: "invalid_token" };

/** The result of a token check: the identity, or the error challenge to send. */
export type TokenOutcome = { readonly identity: AuthIdentity } | { readonly error: OAuthError };

/** Ask `verifyToken`; a refusal names the OAuth error to put in the challenge. */
export async function checkToken(setup: ServerSetup, mechanism: string, message: TokenMessage): Promise<TokenOutcome> {
  const { username, token, host, port } = message;
  const { verifiers, channel } = setup;
  const { verifyToken } = verifiers;
  if (verifyToken === undefined) throw new SaslError("unsupported-mechanism");
  const context: TokenContext = { mechanism, channel, ...(host === undefined ? {} : { host }), ...(port === undefined ? {} : { port }) };
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

/**
 * The client of a Bearer token mechanism: the message (a Secret, it holds the token), then at most
 * one error challenge, whose OAuth error it records as its `failure` before it answers.
 */
export abstract class TokenClient extends ClientFirstClient {
  readonly #message: Secret;

  constructor(message: Secret) {
    super();
    this.#message = message;
  }

  protected message(): Uint8Array {
    return this.#message.revealBytes();
  }

  protected override async challenged(received: Uint8Array): Promise<Uint8Array> {
    if (this.failure !== undefined) throw new SaslError("malformed", `${this.name} expects one error challenge at most`);
    this.fail(tokenRefused(this.name, received));
    return this.errorAnswer();
  }

  /** What the client sends back to the error challenge. */
  protected abstract errorAnswer(): Uint8Array;
}

/**
 * The server of a Bearer token mechanism: it checks the token of the client's message with
 * `verifyToken`; on a refusal it sends the error challenge, and whatever comes back ends the
 * exchange in failure.
 */
export abstract class TokenServer extends ClientFirstServer {
  #refused: OAuthError | undefined;

  protected override async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (this.#refused !== undefined) {
      this.checkErrorAnswer(response);
      throw new SaslError("bad-credentials", `${this.name} token refused`, { oauth: this.#refused });
    }
    return super.step(response);
  }

  protected async receive(response: Uint8Array): Promise<ServerStep> {
    const outcome = await checkToken(this.setup, this.name, this.parse(response));
    if ("identity" in outcome) return { done: true, identity: outcome.identity };
    this.#refused = outcome.error;
    return challenge(formatOAuthError(outcome.error));
  }

  /** The client's message; `SaslError("malformed")` when it is not one. */
  protected abstract parse(response: Uint8Array): TokenMessage;

  /** Throws when the client's answer to the error challenge is not the one the mechanism defines. */
  protected abstract checkErrorAnswer(response: Uint8Array | undefined): void;
}
