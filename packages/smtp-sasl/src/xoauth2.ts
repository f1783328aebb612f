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
import { textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { bearerToken, parseBearer, TokenClient, type TokenMessage, TokenServer } from "./oauth.js";
import { Secret } from "./secret.js";

const CTRL_A = "\x01";

function clientMessage(username: string | undefined, token: string | Secret | undefined): Secret {
  const user = textFor("XOAUTH2", "user name", username, CTRL_A);
  const bearer = bearerToken("XOAUTH2", token);
  return new Secret(`user=${user}\x01auth=Bearer ${bearer.reveal()}\x01\x01`);
}

export class Xoauth2Client extends TokenClient {
  readonly name = "XOAUTH2";

  constructor(username: string | undefined, token: string | Secret | undefined) {
    super(clientMessage(username, token));
  }

  /** An empty response; the server then fails the exchange. */
  protected errorAnswer(): Uint8Array {
    return new Uint8Array(0);
  }
}

export class Xoauth2Server extends TokenServer {
  readonly name = "XOAUTH2";

  protected parse(response: Uint8Array): TokenMessage {
    const text = fromUtf8(response);
    if (text === undefined || !text.endsWith("\x01\x01")) throw new SaslError("malformed", "XOAUTH2 message must end with ^A^A");
    const fields = text.slice(0, -2).split("\x01");
    const [user, auth] = fields;
    if (fields.length !== 2 || user === undefined || auth === undefined || !user.startsWith("user=") || !auth.startsWith("auth=")) {
      throw new SaslError("malformed", "XOAUTH2 message must be user=...^Aauth=...^A^A");
    }
    const username = user.slice(5);
    const token = parseBearer(auth.slice(5));
    if (username.length === 0 || token === undefined) throw new SaslError("malformed", "XOAUTH2 user name empty or auth not a Bearer token");
    return { username, token };
  }

  /** Whatever the client answers to the error challenge (an empty line, normally), the exchange failed. */
  protected checkErrorAnswer(): void {}
}
