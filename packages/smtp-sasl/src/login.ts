/**
 * LOGIN (draft-murchison-sasl-login-00): the server prompts for the user name, then for the
 * password, and the client answers each prompt with the bare value. The prompts are only text for
 * humans; this server sends `Username:` and `Password:` as nearly every SMTP server does, and this
 * client answers by position, not by prompt text. An initial response, when the client sends one,
 * is the user name. The password travels in clear, so only over TLS.
 */
import { fromUtf8, utf8 } from "./bytes.js";
import { secretFor, textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { ClientExchange, challenge, ServerExchange } from "./exchange.js";
import { Secret } from "./secret.js";
import type { ServerStep } from "./types.js";
import { authorizeIdentity, checkPassword } from "./verifiers.js";

const USERNAME_PROMPT = utf8("Username:");
const PASSWORD_PROMPT = utf8("Password:");

export class LoginClient extends ClientExchange {
  readonly name = "LOGIN";
  readonly #username: Uint8Array;
  readonly #password: Secret;
  #prompts = 0;

  constructor(username: string | undefined, password: string | Secret | undefined) {
    super();
    this.#username = utf8(textFor("LOGIN", "user name", username));
    this.#password = secretFor("LOGIN", "password", password);
  }

  /** No initial response: not every server takes one for LOGIN. */
  protected async initial(): Promise<undefined> {
    return undefined;
  }

  protected async answer(_prompt: Uint8Array): Promise<Uint8Array> {
    this.#prompts++;
    if (this.#prompts === 1) return new Uint8Array(this.#username);
    if (this.#prompts === 2) return this.#password.revealBytes();
    throw new SaslError("malformed", "LOGIN expects two prompts");
  }
}

export class LoginServer extends ServerExchange {
  readonly name = "LOGIN";
  #username: string | undefined;

  protected async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (response === undefined) {
      if (this.#username !== undefined) throw new SaslError("malformed", "LOGIN response missing");
      return challenge(USERNAME_PROMPT);
    }
    if (this.#username === undefined) {
      const name = fromUtf8(response);
      if (name === undefined || name.length === 0) throw new SaslError("malformed", "LOGIN user name empty or not UTF-8");
      this.#username = name;
      return challenge(PASSWORD_PROMPT);
    }
    if (response.length === 0) throw new SaslError("malformed", "LOGIN password empty");
    const { verifiers, channel } = this.setup;
    const username = await checkPassword(verifiers, this.#username, new Secret(response), { mechanism: this.name, channel });
    if (username === undefined) throw new SaslError("bad-credentials");
    return { done: true, identity: await authorizeIdentity(verifiers, this.name, username, undefined) };
  }
}
