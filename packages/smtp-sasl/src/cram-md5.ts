/**
 * CRAM-MD5 (RFC 2195 §2): the server sends a challenge in msg-id form
 * (`<random.random@hostname>`); the client answers with
 *
 *   user SP digest;  digest = 32 lowercase hex digits of HMAC-MD5(password, challenge)  (RFC 2104)
 *
 * The password does not cross the wire, but the server needs it in clear (or the HMAC-MD5
 * intermediate state RFC 2195 mentions, which Node's crypto cannot resume), and a recorded
 * exchange allows an offline dictionary attack. RFC 2195 defines no initial response.
 */
import { createHmac, randomInt } from "node:crypto";
import { fromUtf8, sameBytes, utf8 } from "./bytes.js";
import { secretFor, textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { ClientExchange, challenge, ServerExchange } from "./exchange.js";
import type { Secret } from "./secret.js";
import type { ServerStep } from "./types.js";
import { authorizeIdentity, callVerifier } from "./verifiers.js";

const DIGEST = /^[0-9a-f]{32}$/;

function digest(key: Uint8Array, text: Uint8Array): string {
  return createHmac("md5", key).update(text).digest("hex");
}

export class CramMd5Client extends ClientExchange {
  readonly name = "CRAM-MD5";
  readonly #username: string;
  readonly #password: Secret;
  #answered = false;

  constructor(username: string | undefined, password: string | Secret | undefined) {
    super();
    this.#username = textFor("CRAM-MD5", "user name", username);
    this.#password = secretFor("CRAM-MD5", "password", password);
  }

  protected async initial(): Promise<undefined> {
    return undefined;
  }

  protected async answer(received: Uint8Array): Promise<Uint8Array> {
    if (this.#answered) throw new SaslError("malformed", "CRAM-MD5 expects one challenge");
    if (received.length === 0) throw new SaslError("malformed", "CRAM-MD5 challenge empty");
    this.#answered = true;
    return utf8(`${this.#username} ${digest(this.#password.revealBytes(), received)}`);
  }
}

/** The random part of a challenge: `digits.digits`, like RFC 2195's example `<1896.697170952@...>`. */
export function cramNonce(): string {
  return `${randomInt(2 ** 47)}.${randomInt(2 ** 47)}`;
}

export class CramMd5Server extends ServerExchange {
  readonly name = "CRAM-MD5";
  #challenge: Uint8Array | undefined;

  protected async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (this.#challenge === undefined) {
      if (response !== undefined) throw new SaslError("malformed", "CRAM-MD5 takes no initial response");
      this.#challenge = utf8(`<${this.setup.nonce()}@${this.setup.hostname}>`);
      return challenge(this.#challenge);
    }
    if (response === undefined) throw new SaslError("malformed", "CRAM-MD5 response missing");
    const text = fromUtf8(response);
    const space = text === undefined ? -1 : text.lastIndexOf(" ");
    if (text === undefined || space < 1) throw new SaslError("malformed", "CRAM-MD5 response must be: user SP digest");
    const name = text.slice(0, space);
    const received = text.slice(space + 1);
    if (!DIGEST.test(received)) throw new SaslError("malformed", "CRAM-MD5 digest must be 32 lowercase hex digits");

    const { verifiers, channel } = this.setup;
    const { lookupPassword } = verifiers;
    if (lookupPassword === undefined) throw new SaslError("unsupported-mechanism");
    const password = await callVerifier(() => lookupPassword.call(verifiers, name, { mechanism: this.name, channel }));
    // An unknown user costs the same HMAC as a known one.
    const expected = digest(password === undefined ? new Uint8Array(16) : password.revealBytes(), this.#challenge);
    if (!sameBytes(utf8(expected), utf8(received)) || password === undefined) throw new SaslError("bad-credentials");
    return { done: true, identity: await authorizeIdentity(verifiers, this.name, name, undefined) };
  }
}
