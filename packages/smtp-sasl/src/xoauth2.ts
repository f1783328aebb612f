/**
 * XOAUTH2, the format Google and Microsoft define for OAuth 2.0 bearer tokens over SASL
 * (developers.google.com/gmail/imap/xoauth2-protocol):
 *
 *   "user=" user %x01 "auth=Bearer " token %x01 %x01
 *
 * On a refused token the server sends a JSON error as a challenge and the client answers it with
 * an empty response; the server then fails the exchange (SMTP: 535). The token is a bearer
 * credential — whoever sees it can use it — so only over TLS.
 */
import { fromUtf8 } from "./bytes.js";
import { B64TOKEN, secretFor, textFor } from "./credentials.js";
import { SaslError, type OAuthError } from "./errors.js";
import { ClientExchange, challenge, type ServerSetup, ServerExchange } from "./exchange.js";
import { checkToken, formatOAuthError, tokenRefused } from "./oauth.js";
import { Secret } from "./secret.js";
import type { ServerStep } from "./types.js";

const CTRL_A = "\x01";
const AUTH_VALUE = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export class Xoauth2Client extends ClientExchange {
  readonly name = "XOAUTH2";
  readonly #message: Secret;
  #sent = false;

  constructor(username: string | undefined, token: string | Secret | undefined) {
    super();
    const user = textFor("XOAUTH2", "user name", username, CTRL_A);
    const bearer = secretFor("XOAUTH2", "token", token);
    if (!B64TOKEN.test(bearer.reveal())) throw new SaslError("unrepresentable", "XOAUTH2 token must be a b64token (RFC 6750 §2.1)");
    this.#message = new Secret(`user=${user}\x01auth=Bearer ${bearer.reveal()}\x01\x01`);
  }

  protected async initial(): Promise<Uint8Array> {
    return this.#message.revealBytes();
  }

  protected async answer(received: Uint8Array): Promise<Uint8Array> {
    if (received.length === 0 && !this.#sent) {
      // The transport held back the initial response; the server asks for it.
      this.#sent = true;
      return this.#message.revealBytes();
    }
    if (this.failure !== undefined) throw new SaslError("malformed", "XOAUTH2 expects one error challenge at most");
    // An error challenge: remember why, answer with an empty response, and the server fails the exchange.
    this.#sent = true;
    this.fail(tokenRefused(this.name, received));
    return new Uint8Array(0);
  }
}

export class Xoauth2Server extends ServerExchange {
  readonly name = "XOAUTH2";
  #asked = false;
  #refused: OAuthError | undefined;

  constructor(setup: ServerSetup) {
    super(setup);
  }

  protected async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (this.#refused !== undefined) {
      // Whatever the client answers to the error challenge (an empty line, normally), the exchange failed.
      throw new SaslError("bad-credentials", "XOAUTH2 token refused", { oauth: this.#refused });
    }
    if (response === undefined) {
      if (this.#asked) throw new SaslError("malformed", "XOAUTH2 response missing");
      this.#asked = true;
      return challenge(new Uint8Array(0));
    }
    const text = fromUtf8(response);
    if (text === undefined || !text.endsWith("\x01\x01")) throw new SaslError("malformed", "XOAUTH2 message must end with ^A^A");
    const fields = text.slice(0, -2).split("\x01");
    const [user, auth] = fields;
    if (fields.length !== 2 || user === undefined || auth === undefined || !user.startsWith("user=") || !auth.startsWith("auth=")) {
      throw new SaslError("malformed", "XOAUTH2 message must be user=...^Aauth=...^A^A");
    }
    const username = user.slice(5);
    const bearer = AUTH_VALUE.exec(auth.slice(5));
    if (username.length === 0 || bearer === null) throw new SaslError("malformed", "XOAUTH2 user name empty or auth not a Bearer token");

    const outcome = await checkToken(this.setup, this.name, username, bearer[1] as string);
    if ("identity" in outcome) return { done: true, identity: outcome.identity };
    this.#refused = outcome.error;
    return challenge(formatOAuthError(outcome.error));
  }
}
