/**
 * OAUTHBEARER (RFC 7628 §3.1):
 *
 *   kvsep       = %x01
 *   key         = 1*(ALPHA)
 *   value       = *(VCHAR / SP / HTAB / CR / LF )
 *   kvpair      = key "=" value kvsep
 *   client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
 *
 * with the pairs `auth` (required: "Bearer" SP token), `host` and `port`. On a refused token the
 * server sends the JSON error as a challenge (§3.2.2) and the client answers it with a lone kvsep
 * (%x01); the server then fails the exchange. OAUTHBEARER has no channel binding, so the gs2 flag
 * is "n" (or "y"); the gs2 `a=` names the user the token is for, as Gmail, Outlook.com and Dovecot
 * read it. The token is a bearer credential, so only over TLS.
 */
import { fromUtf8, utf8 } from "./bytes.js";
import { B64TOKEN, secretFor, textFor } from "./credentials.js";
import { SaslError, type OAuthError } from "./errors.js";
import { ClientExchange, challenge, type ServerSetup, ServerExchange } from "./exchange.js";
import { formatGs2Header, parseGs2Header } from "./gs2.js";
import { checkToken, formatOAuthError, tokenRefused } from "./oauth.js";
import { Secret } from "./secret.js";
import type { ServerStep } from "./types.js";

const KVSEP = "\x01";
const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7e \t\r\n]*$/;
const AUTH_VALUE = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const PORT = /^[0-9]{1,5}$/;

export class OauthBearerClient extends ClientExchange {
  readonly name = "OAUTHBEARER";
  readonly #message: Secret;
  #sent = false;

  constructor(
    username: string | undefined,
    token: string | Secret | undefined,
    host: string | undefined,
    port: number | undefined,
  ) {
    super();
    const user = username === undefined || username === "" ? undefined : textFor(this.name, "user name", username, "\0");
    const bearer = secretFor(this.name, "token", token);
    if (!B64TOKEN.test(bearer.reveal())) throw new SaslError("unrepresentable", "OAUTHBEARER token must be a b64token (RFC 6750 §2.1)");
    let pairs = "";
    if (host !== undefined) {
      if (!VALUE.test(host) || host.length === 0) throw new SaslError("unrepresentable", "OAUTHBEARER host must be printable ASCII");
      pairs += `host=${host}${KVSEP}`;
    }
    if (port !== undefined) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SaslError("unrepresentable", "OAUTHBEARER port must be 0-65535");
      pairs += `port=${port}${KVSEP}`;
    }
    pairs += `auth=Bearer ${bearer.reveal()}${KVSEP}`;
    this.#message = new Secret(`${formatGs2Header("n", undefined, user)}${KVSEP}${pairs}${KVSEP}`);
  }

  protected async initial(): Promise<Uint8Array> {
    return this.#message.revealBytes();
  }

  protected async answer(received: Uint8Array): Promise<Uint8Array> {
    if (received.length === 0 && !this.#sent) {
      this.#sent = true;
      return this.#message.revealBytes();
    }
    if (this.failure !== undefined) throw new SaslError("malformed", "OAUTHBEARER expects one error challenge at most");
    // RFC 7628 §3.2.3: the client answers the error challenge with a single kvsep.
    this.#sent = true;
    this.fail(tokenRefused(this.name, received));
    return utf8(KVSEP);
  }
}

interface BearerMessage {
  readonly username: string;
  readonly token: string;
  readonly host?: string;
  readonly port?: number;
}

function parseMessage(text: string): BearerMessage {
  const bad = (why: string) => new SaslError("malformed", `OAUTHBEARER: ${why}`);
  const header = parseGs2Header(text, "OAUTHBEARER");
  if (header.flag === "p") throw bad("no channel binding in this mechanism");
  const body = text.slice(header.raw.length);
  if (!body.startsWith(KVSEP) || !body.endsWith(KVSEP + KVSEP) || body.length < 3) throw bad("message must be gs2-header ^A pairs ^A");
  const pairs = body.slice(1, -1).split(KVSEP);
  pairs.pop(); // the empty string after the last pair's kvsep
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (eq === -1 || !KEY.test(key) || !VALUE.test(value)) throw bad("each pair must be key=value");
    if (seen.has(key)) throw bad("a key occurs twice");
    seen.set(key, value);
  }
  const bearer = AUTH_VALUE.exec(seen.get("auth") ?? "");
  if (bearer === null) throw bad("auth must be Bearer and a b64token");
  const host = seen.get("host");
  const port = seen.get("port");
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65535)) throw bad("port must be a number up to 65535");
  return {
    username: header.authzid ?? "",
    token: bearer[1] as string,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port: Number(port) }),
  };
}

export class OauthBearerServer extends ServerExchange {
  readonly name = "OAUTHBEARER";
  #asked = false;
  #refused: OAuthError | undefined;

  constructor(setup: ServerSetup) {
    super(setup);
  }

  protected async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (this.#refused !== undefined) {
      if (response === undefined || response.length !== 1 || response[0] !== 0x01) {
        throw new SaslError("malformed", "OAUTHBEARER: the answer to an error challenge is %x01");
      }
      throw new SaslError("bad-credentials", "OAUTHBEARER token refused", { oauth: this.#refused });
    }
    if (response === undefined) {
      if (this.#asked) throw new SaslError("malformed", "OAUTHBEARER response missing");
      this.#asked = true;
      return challenge(new Uint8Array(0));
    }
    const text = fromUtf8(response);
    if (text === undefined) throw new SaslError("malformed", "OAUTHBEARER message is not UTF-8");
    const { username, token, host, port } = parseMessage(text);
    const extra = { ...(host === undefined ? {} : { host }), ...(port === undefined ? {} : { port }) };
    const outcome = await checkToken(this.setup, this.name, username, token, extra);
    if ("identity" in outcome) return { done: true, identity: outcome.identity };
    this.#refused = outcome.error;
    return challenge(formatOAuthError(outcome.error));
  }
}
