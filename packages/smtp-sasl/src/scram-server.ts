/**
 * SCRAM server (RFC 5802 §5, RFC 7677), verifying against stored keys: from client-first it
 * looks the user up and answers server-first; from client-final it checks the channel binding, the
 * nonce and the proof, and answers server-final (`v=`) as a 334 challenge (RFC 4954 has no success
 * data), which the client acknowledges with an empty response.
 *
 * An unknown user gets a server-first like any other — a salt derived from the name and a key
 * known only to this process, the usual iteration count — and fails at the proof, so the exchange
 * does not tell which users exist.
 */
import { createHmac, randomBytes } from "node:crypto";
import { concat, fromBase64, fromUtf8, sameBytes, toBase64, utf8 } from "./bytes.js";
import { SaslError } from "./errors.js";
import { type ServerSetup, challenge, ServerExchange } from "./exchange.js";
import { type ChannelBindingType, decodeSaslname, type Gs2Header, parseGs2Header } from "./gs2.js";
import { prepareUsername } from "./saslprep.js";
import { expectAttributes, h, hashSize, hmac, isPrintableNonce, parseAttributes, scramKeys, scramName, xor } from "./scram-core.js";
import { Secret } from "./secret.js";
import type { AuthIdentity, ServerStep } from "./types.js";
import { authorizeIdentity, callVerifier, type ScramHash, type VerifyContext } from "./verifiers.js";

let fakeSaltKey: Uint8Array | undefined;

/** A salt for `username` that is stable within this process and unpredictable outside it. */
function derivedSalt(hash: ScramHash, username: string): Uint8Array {
  fakeSaltKey ??= new Uint8Array(randomBytes(32));
  return createHmac("sha256", fakeSaltKey).update(`${hash}\0${username}`).digest().subarray(0, 16);
}

interface Stored {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  /** False for an unknown user: the proof is checked all the same, and then refused. */
  readonly known: boolean;
}

type Stage = "start" | "first" | "final" | "ack";

export class ScramServer extends ServerExchange {
  readonly name: string;
  readonly #hash: ScramHash;
  readonly #plus: boolean;
  /** This server offers -PLUS on this channel: a client saying "y" has been misled (RFC 5802 §6). */
  readonly #serverBinds: boolean;
  #stage: Stage = "start";
  #header: Gs2Header | undefined;
  #bindingData: Uint8Array = new Uint8Array(0);
  #username = "";
  #clientFirstBare = "";
  #serverFirst = "";
  #nonce = "";
  #stored: Stored | undefined;
  #identity: AuthIdentity | undefined;

  constructor(setup: ServerSetup, hash: ScramHash, plus: boolean, serverBinds: boolean) {
    super(setup);
    this.name = scramName(hash, plus);
    this.#hash = hash;
    this.#plus = plus;
    this.#serverBinds = serverBinds;
  }

  protected async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (this.#stage === "start" && response === undefined) {
      this.#stage = "first";
      return challenge(new Uint8Array(0));
    }
    if (response === undefined) throw new SaslError("malformed", `${this.name}: response missing`);
    if (this.#stage === "ack") {
      if (response.length !== 0) throw new SaslError("malformed", `${this.name}: expected an empty response to server-final`);
      return { done: true, identity: this.#identity as AuthIdentity };
    }
    const text = fromUtf8(response);
    if (text === undefined) throw new SaslError("malformed", `${this.name}: message is not UTF-8`);
    if (this.#stage === "start" || this.#stage === "first") return this.#serverFirstMessage(text);
    return this.#serverFinalMessage(text);
  }

  async #serverFirstMessage(clientFirst: string): Promise<ServerStep> {
    const header = parseGs2Header(clientFirst, this.name);
    this.#checkBindingFlag(header);
    const bare = clientFirst.slice(header.raw.length);
    const attrs = parseAttributes(bare, this.name);
    // RFC 5802 §5.1 "m": reserved for a mandatory extension; one this server does not know.
    if (attrs[0]?.[0] === "m") throw new SaslError("malformed", `${this.name}: mandatory extension not supported`);
    const [saslname, clientNonce] = expectAttributes(attrs, ["n", "r"], this.name) as [string, string];
    const decoded = decodeSaslname(saslname);
    const username = decoded === undefined ? undefined : prepareUsername(decoded);
    if (username === undefined) throw new SaslError("malformed", `${this.name}: user name is not a SASLprepped saslname`);
    if (!isPrintableNonce(clientNonce)) throw new SaslError("malformed", `${this.name}: client nonce is not printable`);

    const serverNonce = this.setup.nonce();
    if (!isPrintableNonce(serverNonce)) throw new RangeError("server nonce must be printable characters other than ','");
    const context: VerifyContext =
      header.authzid === undefined ? { mechanism: this.name, channel: this.setup.channel } : { mechanism: this.name, authzid: header.authzid, channel: this.setup.channel };
    const stored = await this.#lookup(username, context);

    this.#header = header;
    this.#username = username;
    this.#clientFirstBare = bare;
    this.#nonce = clientNonce + serverNonce;
    this.#stored = stored;
    this.#serverFirst = `r=${this.#nonce},s=${toBase64(stored.salt)},i=${stored.iterations}`;
    this.#stage = "final";
    return challenge(utf8(this.#serverFirst));
  }

  /** RFC 5802 §6: which gs2 flags each mechanism accepts, and the "y" downgrade check. */
  #checkBindingFlag(header: Gs2Header): void {
    if (this.#plus) {
      if (header.flag !== "p") throw new SaslError("malformed", `${this.name}: a -PLUS mechanism needs p=cb-name`);
      const type = header.cbName as string;
      const data = type === "tls-exporter" || type === "tls-server-end-point" ? this.setup.channel.channelBinding?.[type as ChannelBindingType] : undefined;
      if (data === undefined) throw new SaslError("channel-binding", `${this.name}: channel binding type not available`);
      this.#bindingData = data;
      return;
    }
    if (header.flag === "p") throw new SaslError("malformed", `${this.name}: p= needs the -PLUS mechanism`);
    if (header.flag === "y" && this.#serverBinds) throw new SaslError("downgrade");
  }

  async #lookup(username: string, context: VerifyContext): Promise<Stored> {
    const { verifiers, scramIterations } = this.setup;
    const { lookupScramCredentials, lookupPassword } = verifiers;
    const size = hashSize(this.#hash);
    if (lookupScramCredentials !== undefined) {
      const found = await callVerifier(() => lookupScramCredentials.call(verifiers, username, this.#hash, context));
      if (found !== undefined) {
        const storedKey = Secret.from(found.storedKey).revealBytes();
        const serverKey = Secret.from(found.serverKey).revealBytes();
        if (
          !(found.salt instanceof Uint8Array) ||
          found.salt.length === 0 ||
          !Number.isSafeInteger(found.iterations) ||
          found.iterations < 1 ||
          storedKey.length !== size ||
          serverKey.length !== size
        ) {
          throw new SaslError("temporary", `${this.name}: stored credentials are not ${this.#hash} keys`);
        }
        return { salt: found.salt, iterations: found.iterations, storedKey, serverKey, known: true };
      }
    } else if (lookupPassword !== undefined) {
      const password = await callVerifier(() => lookupPassword.call(verifiers, username, context));
      if (password !== undefined) {
        const salt = derivedSalt(this.#hash, username);
        const keys = await scramKeys(password.reveal(), salt, scramIterations, this.#hash);
        return { salt, iterations: scramIterations, storedKey: keys.storedKey, serverKey: keys.serverKey, known: true };
      }
    }
    const random = new Uint8Array(randomBytes(size));
    return { salt: derivedSalt(this.#hash, username), iterations: scramIterations, storedKey: random, serverKey: random, known: false };
  }

  async #serverFinalMessage(clientFinal: string): Promise<ServerStep> {
    const header = this.#header as Gs2Header;
    const stored = this.#stored as Stored;
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt === -1) throw new SaslError("malformed", `${this.name}: client-final must end with p=proof`);
    const withoutProof = clientFinal.slice(0, proofAt);
    const [binding, nonce] = expectAttributes(parseAttributes(withoutProof, this.name), ["c", "r"], this.name) as [string, string];
    const proof = fromBase64(clientFinal.slice(proofAt + 3));
    if (proof === undefined || proof.length !== hashSize(this.#hash)) {
      throw new SaslError("malformed", `${this.name}: proof is not base64 of the hash size`);
    }
    const cbind = fromBase64(binding);
    if (cbind === undefined) throw new SaslError("malformed", `${this.name}: c= is not base64`);
    // c= repeats the gs2 header and, for p=, the channel's binding data (RFC 5802 §7 cbind-input).
    if (!sameBytes(cbind, concat(utf8(header.raw), this.#bindingData))) {
      throw new SaslError(this.#plus ? "channel-binding" : "malformed", `${this.name}: channel binding does not match`);
    }
    if (nonce !== this.#nonce) throw new SaslError("malformed", `${this.name}: nonce differs from server-first's`);

    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientKey = xor(proof, hmac(this.#hash, stored.storedKey, authMessage));
    const proofOk = sameBytes(h(this.#hash, clientKey), stored.storedKey);
    if (!proofOk || !stored.known) throw new SaslError("bad-credentials");

    this.#identity = await authorizeIdentity(this.setup.verifiers, this.name, this.#username, header.authzid);
    this.#stage = "ack";
    return challenge(utf8(`v=${toBase64(hmac(this.#hash, stored.serverKey, authMessage))}`));
  }
}
