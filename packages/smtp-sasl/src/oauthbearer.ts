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
import { textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { formatGs2Header, parseGs2Header } from "./gs2.js";
import { bearerToken, parseBearer, TokenClient, type TokenMessage, TokenServer } from "./oauth.js";
import { Secret } from "./secret.js";

const KVSEP = "\x01";
const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7e \t\r\n]*$/;
const PORT = /^[0-9]{1,5}$/;

function clientMessage(username: string | undefined, token: string | Secret | undefined, host: string | undefined, port: number | undefined): Secret {
  const user = username === undefined || username === "" ? undefined : textFor("OAUTHBEARER", "user name", username, "\0");
  const bearer = bearerToken("OAUTHBEARER", token);
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
  return new Secret(`${formatGs2Header("n", undefined, user)}${KVSEP}${pairs}${KVSEP}`);
}

export class OauthBearerClient extends TokenClient {
  readonly name = "OAUTHBEARER";

  constructor(
    username: string | undefined,
    token: string | Secret | undefined,
    host: string | undefined,
    port: number | undefined,
  ) {
    super(clientMessage(username, token, host, port));
  }

  /** RFC 7628 §3.2.3: the client answers the error challenge with a single kvsep. */
  protected errorAnswer(): Uint8Array {
    return utf8(KVSEP);
  }
}

function parseMessage(text: string): TokenMessage {
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
  const token = parseBearer(seen.get("auth") ?? "");
  if (token === undefined) throw bad("auth must be Bearer and a b64token");
  const host = seen.get("host");
  const port = seen.get("port");
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65535)) throw bad("port must be a number up to 65535");
  return {
    username: header.authzid ?? "",
    token,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port: Number(port) }),
  };
}

export class OauthBearerServer extends TokenServer {
  readonly name = "OAUTHBEARER";

  protected parse(response: Uint8Array): TokenMessage {
    const text = fromUtf8(response);
    if (text === undefined) throw new SaslError("malformed", "OAUTHBEARER message is not UTF-8");
    return parseMessage(text);
  }

  protected checkErrorAnswer(response: Uint8Array | undefined): void {
    if (response === undefined || response.length !== 1 || response[0] !== 0x01) {
      throw new SaslError("malformed", "OAUTHBEARER: the answer to an error challenge is %x01");
    }
  }
}
