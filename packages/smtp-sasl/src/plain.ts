/**
 * PLAIN (RFC 4616 §2):
 *
 *   message   = [authzid] UTF8NUL authcid UTF8NUL passwd
 *   authcid   = 1*SAFE ; MUST accept up to 255 octets
 *   authzid   = 1*SAFE ; MUST accept up to 255 octets
 *   passwd    = 1*SAFE ; MUST accept up to 255 octets
 *   SAFE      = any UTF-8 encoded Unicode character except NUL
 *
 * One message from the client; the password travels in clear, so only over TLS.
 */
import { concat, fromUtf8, utf8 } from "./bytes.js";
import { secretFor, textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { ClientFirstClient, ClientFirstServer } from "./exchange.js";
import { Secret } from "./secret.js";
import type { ServerStep } from "./types.js";
import { authorizeIdentity, checkPassword } from "./verifiers.js";

const NUL = "\0";

export class PlainClient extends ClientFirstClient {
  readonly name = "PLAIN";
  readonly #message: Secret;

  constructor(username: string | undefined, password: string | Secret | undefined, authzid: string | undefined) {
    super();
    const authcid = textFor("PLAIN", "user name", username, NUL);
    const passwd = secretFor("PLAIN", "password", password, NUL);
    const zid = authzid === undefined || authzid === "" ? "" : textFor("PLAIN", "authorization identity", authzid, NUL);
    this.#message = new Secret(concat(utf8(zid), new Uint8Array([0]), utf8(authcid), new Uint8Array([0]), passwd.revealBytes()));
  }

  protected message(): Uint8Array {
    return this.#message.revealBytes();
  }
}

export class PlainServer extends ClientFirstServer {
  readonly name = "PLAIN";

  protected async receive(response: Uint8Array): Promise<ServerStep> {
    const first = response.indexOf(0);
    const second = first === -1 ? -1 : response.indexOf(0, first + 1);
    if (second === -1 || response.indexOf(0, second + 1) !== -1) {
      throw new SaslError("malformed", "PLAIN message must hold exactly two NULs");
    }
    const authzid = fromUtf8(response.subarray(0, first));
    const authcid = fromUtf8(response.subarray(first + 1, second));
    const passwd = response.subarray(second + 1);
    if (authzid === undefined || authcid === undefined || fromUtf8(passwd) === undefined) {
      throw new SaslError("malformed", "PLAIN message is not UTF-8");
    }
    if (authcid.length === 0 || passwd.length === 0) throw new SaslError("malformed", "PLAIN user name or password empty");

    const { verifiers, channel } = this.setup;
    const context = authzid === "" ? { mechanism: this.name, channel } : { mechanism: this.name, authzid, channel };
    const username = await checkPassword(verifiers, authcid, new Secret(passwd), context);
    if (username === undefined) throw new SaslError("bad-credentials");
    return { done: true, identity: await authorizeIdentity(verifiers, this.name, username, authzid) };
  }
}
