/**
 * SCRAM client (RFC 5802 §5, RFC 7677): client-first, then client-final with the proof, then the
 * server signature is checked — the server must prove that it knows the password too.
 *
 *   client-first-message = gs2-header client-first-message-bare
 *   client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
 *   server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
 *   client-final-message = channel-binding "," nonce ["," extensions] "," proof
 *   server-final-message = (server-error / verifier) ["," extensions]
 */
import { concat, fromBase64, fromUtf8, printable, sameBytes, toBase64, utf8 } from "./bytes.js";
import { secretFor, textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { ClientExchange } from "./exchange.js";
import { encodeSaslname, formatGs2Header } from "./gs2.js";
import { prepareUsername } from "./saslprep.js";
import { expectAttributes, hashSize, hmac, isPrintableNonce, parseAttributes, scramKeys, scramName, xor } from "./scram-core.js";
import type { Secret } from "./secret.js";
import type { ScramHash } from "./verifiers.js";

/** How the client binds the exchange to the channel (RFC 5802 §6). */
export interface ScramBinding {
  /** `n`: the client has no binding data; `y`: it has, but the server did not offer -PLUS; `p`: bound. */
  readonly flag: "n" | "y" | "p";
  /** For `p`: the binding type and the data the transport gave for it. */
  readonly type?: string;
  readonly data?: Uint8Array;
}

export interface ScramClientLimits {
  /** Refuse a server's iteration count below this; default 4096 (RFC 7677 §4). */
  readonly minIterations: number;
  /** Refuse one above this (a hostile server could make the client hash for minutes); default 1,000,000. */
  readonly maxIterations: number;
}

type Stage = "first" | "final" | "verify" | "done";

export class ScramClient extends ClientExchange {
  readonly name: string;
  readonly #hash: ScramHash;
  readonly #password: Secret;
  readonly #gs2Header: string;
  readonly #cbindInput: Uint8Array;
  readonly #clientFirstBare: string;
  readonly #clientNonce: string;
  readonly #limits: ScramClientLimits;
  #stage: Stage = "first";
  #resent = false;
  #serverSignature: Uint8Array | undefined;

  constructor(
    hash: ScramHash,
    binding: ScramBinding,
    credentials: { readonly username?: string | undefined; readonly password?: string | Secret | undefined; readonly authzid?: string | undefined },
    limits: ScramClientLimits,
    nonce: string,
  ) {
    super();
    this.name = scramName(hash, binding.flag === "p");
    this.#hash = hash;
    // RFC 5802 §5.1: the user name is SASLprepped as a query string; if that fails or leaves
    // nothing, the client SHOULD abort.
    const user = textFor(this.name, "user name", credentials.username, "\0");
    const prepared = prepareUsername(user);
    if (prepared === undefined) throw new SaslError("unrepresentable", `${this.name}: SASLprep refused the user name`);
    const authzid = credentials.authzid === undefined || credentials.authzid === "" ? undefined : textFor(this.name, "authorization identity", credentials.authzid, "\0");
    this.#password = secretFor(this.name, "password", credentials.password);
    if (!isPrintableNonce(nonce)) throw new RangeError("nonce must be printable characters other than ','");
    this.#clientNonce = nonce;
    this.#limits = limits;
    this.#gs2Header = formatGs2Header(binding.flag, binding.type, authzid);
    this.#cbindInput = concat(utf8(this.#gs2Header), binding.flag === "p" ? (binding.data ?? new Uint8Array(0)) : new Uint8Array(0));
    this.#clientFirstBare = `n=${encodeSaslname(prepared)},r=${nonce}`;
  }

  protected async initial(): Promise<Uint8Array> {
    return utf8(this.#gs2Header + this.#clientFirstBare);
  }

  protected async answer(received: Uint8Array): Promise<Uint8Array> {
    if (this.#stage === "first" && received.length === 0 && !this.#resent) {
      // The transport did not send the initial response; the server asks for it with an empty challenge.
      this.#resent = true;
      return this.initial();
    }
    const text = fromUtf8(received);
    if (text === undefined) throw new SaslError("malformed", `${this.name}: server message is not UTF-8`);
    if (this.#stage === "first") return this.#clientFinal(text);
    if (this.#stage === "verify") {
      this.#verify(text);
      return new Uint8Array(0);
    }
    throw new SaslError("malformed", `${this.name}: exchange already complete`);
  }

  protected override async complete(additionalData: Uint8Array | undefined): Promise<void> {
    if (this.#stage === "verify" && additionalData !== undefined && additionalData.length > 0) {
      const text = fromUtf8(additionalData);
      if (text === undefined) throw new SaslError("malformed", `${this.name}: server message is not UTF-8`);
      this.#verify(text);
    }
    if (this.#stage !== "done") {
      throw new SaslError("bad-server-signature", `${this.name}: the server reported success without its signature`);
    }
  }

  async #clientFinal(serverFirst: string): Promise<Uint8Array> {
    const attrs = parseAttributes(serverFirst, this.name);
    if (attrs[0]?.[0] === "m") throw new SaslError("malformed", `${this.name}: mandatory extension not supported`);
    const [nonce, saltText, iterText] = expectAttributes(attrs, ["r", "s", "i"], this.name) as [string, string, string];
    // The server's nonce must extend ours (RFC 5802 §5.1 "r").
    if (!nonce.startsWith(this.#clientNonce) || nonce.length === this.#clientNonce.length || !isPrintableNonce(nonce)) {
      throw new SaslError("malformed", `${this.name}: server nonce does not extend the client nonce`);
    }
    const salt = fromBase64(saltText);
    if (salt === undefined || salt.length === 0) throw new SaslError("malformed", `${this.name}: salt is not base64`);
    if (!/^[1-9][0-9]{0,9}$/.test(iterText)) throw new SaslError("malformed", `${this.name}: iteration count is not a number`);
    const iterations = Number(iterText);
    if (iterations < this.#limits.minIterations || iterations > this.#limits.maxIterations) {
      throw new SaslError("malformed", `${this.name}: iteration count ${iterations} outside ${this.#limits.minIterations}-${this.#limits.maxIterations}`);
    }

    this.#stage = "final";
    const keys = await scramKeys(this.#password.reveal(), salt, iterations, this.#hash);
    const withoutProof = `c=${toBase64(this.#cbindInput)},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(keys.clientKey, hmac(this.#hash, keys.storedKey, authMessage));
    this.#serverSignature = hmac(this.#hash, keys.serverKey, authMessage);
    this.#stage = "verify";
    return utf8(`${withoutProof},p=${toBase64(proof)}`);
  }

  #verify(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal, this.name);
    const [name, value] = attrs[0] ?? ["", ""];
    if (name === "e") {
      throw new SaslError("bad-credentials", `${this.name}: server error ${printable(value, 60)}`);
    }
    const [verifier] = expectAttributes(attrs, ["v"], this.name) as [string];
    const signature = fromBase64(verifier);
    if (signature === undefined || signature.length !== hashSize(this.#hash)) {
      throw new SaslError("malformed", `${this.name}: server signature is not base64 of the hash size`);
    }
    if (this.#serverSignature === undefined || !sameBytes(signature, this.#serverSignature)) {
      throw new SaslError("bad-server-signature");
    }
    this.#stage = "done";
  }
}
