/**
 * What SCRAM's client and server share (RFC 5802 §3, RFC 7677): the key derivation, the
 * attribute syntax of its messages, and `deriveScramCredentials` for applications that store
 * salted keys instead of passwords.
 *
 *   SaltedPassword  := Hi(Normalize(password), salt, i)
 *   ClientKey       := HMAC(SaltedPassword, "Client Key")
 *   StoredKey       := H(ClientKey)
 *   AuthMessage     := client-first-message-bare + "," + server-first-message + "," + client-final-message-without-proof
 *   ClientSignature := HMAC(StoredKey, AuthMessage)
 *   ClientProof     := ClientKey XOR ClientSignature
 *   ServerKey       := HMAC(SaltedPassword, "Server Key")
 *   ServerSignature := HMAC(ServerKey, AuthMessage)
 *
 * Hi is PBKDF2 (RFC 8018) with HMAC-H and one block of output, so it runs as Node's async
 * `crypto.pbkdf2`, on the libuv thread pool and not on the event loop.
 */
import { createHash, createHmac, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { utf8 } from "./bytes.js";
import { SaslError } from "./errors.js";
import { normalizePassword } from "./saslprep.js";
import { Secret } from "./secret.js";
import type { ScramCredentials, ScramHash } from "./verifiers.js";

const pbkdf2Async = promisify(pbkdf2);

const HASHES: Readonly<Record<ScramHash, { readonly node: "sha1" | "sha256"; readonly size: number }>> = {
  "SHA-1": { node: "sha1", size: 20 },
  "SHA-256": { node: "sha256", size: 32 },
};

/** The output size of `hash` in octets (20 for SHA-1, 32 for SHA-256): the size of every SCRAM key. */
export function hashSize(hash: ScramHash): number {
  return HASHES[hash].size;
}

/** RFC 7677 §4: "The hash iteration-count announced by a server SHOULD be at least 4096." */
export const DEFAULT_ITERATIONS = 4096;

export function hmac(hash: ScramHash, key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return createHmac(HASHES[hash].node, key).update(data).digest();
}

export function h(hash: ScramHash, data: Uint8Array): Uint8Array {
  return createHash(HASHES[hash].node).update(data).digest();
}

export function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

/** The three keys SaltedPassword gives: ClientKey (client only), StoredKey and ServerKey. */
export interface ScramKeys {
  readonly clientKey: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/** Hi(Normalize(password), salt, i) and the keys derived from it, off the event loop. */
export async function scramKeys(password: string, salt: Uint8Array, iterations: number, hash: ScramHash): Promise<ScramKeys> {
  const { node, size } = HASHES[hash];
  const salted = await pbkdf2Async(utf8(normalizePassword(password)), salt, iterations, size, node);
  const clientKey = hmac(hash, salted, "Client Key");
  return { clientKey, storedKey: h(hash, clientKey), serverKey: hmac(hash, salted, "Server Key") };
}

export interface DeriveScramOptions {
  readonly hash: ScramHash;
  /** Iteration count; default 4096 (RFC 7677 §4's minimum). The client pays it on every login. */
  readonly iterations?: number;
  /** Salt; default 16 random octets. */
  readonly salt?: Uint8Array;
}

/** What `deriveScramCredentials` returns: `ScramCredentials` and the hash they are for. */
export interface DerivedScramCredentials extends ScramCredentials {
  readonly hash: ScramHash;
  readonly storedKey: Secret;
  readonly serverKey: Secret;
}

/**
 * The salted keys to store for `password` (RFC 5802 §3), so that the server never keeps the
 * password: store `salt`, `iterations`, `storedKey` and `serverKey` per user and hash, and return
 * them from `lookupScramCredentials`. The password is SASLprepped as the client does it.
 */
export async function deriveScramCredentials(password: string | Secret, options: DeriveScramOptions): Promise<DerivedScramCredentials> {
  const { hash } = options;
  if (HASHES[hash] === undefined) throw new RangeError(`hash must be SHA-1 or SHA-256, got ${String(hash)}`);
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  const salt = options.salt === undefined ? new Uint8Array(randomBytes(16)) : new Uint8Array(options.salt);
  if (salt.length === 0) throw new RangeError("salt must not be empty");
  const keys = await scramKeys(Secret.from(password).reveal(), salt, iterations, hash);
  return { hash, salt, iterations, storedKey: new Secret(keys.storedKey), serverKey: new Secret(keys.serverKey) };
}

/**
 * attr-val = ALPHA "=" value; the messages are attr-vals joined by ",". Returns the pairs in order;
 * throws `SaslError("malformed")` for anything else.
 */
export function parseAttributes(text: string, mechanism: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split(",")) {
    const name = part.charCodeAt(0);
    const isAlpha = (name >= 0x41 && name <= 0x5a) || (name >= 0x61 && name <= 0x7a);
    if (!isAlpha || part.charCodeAt(1) !== 0x3d) throw new SaslError("malformed", `${mechanism}: attributes must be x=value`);
    out.push([part[0] as string, part.slice(2)]);
  }
  return out;
}

/** Attribute names RFC 5802 defines; an extension may not reuse one. */
const DEFINED = new Set(["a", "c", "e", "i", "m", "n", "p", "r", "s", "v"]);

/**
 * Reads `attrs` in the fixed order RFC 5802 §5.1 requires ("the order of attributes ... is fixed,
 * with the exception of extension attributes"): each of `names` in turn, then extensions,
 * which are ignored. Returns the values of `names`.
 */
export function expectAttributes(attrs: readonly [string, string][], names: readonly string[], mechanism: string): string[] {
  const values: string[] = [];
  names.forEach((name, i) => {
    const attr = attrs[i];
    if (attr === undefined || attr[0] !== name) {
      throw new SaslError("malformed", `${mechanism}: expected attribute ${name}= at position ${i + 1}`);
    }
    values.push(attr[1]);
  });
  for (const [name, value] of attrs.slice(names.length)) {
    if (DEFINED.has(name) || value.length === 0) throw new SaslError("malformed", `${mechanism}: unexpected attribute ${name}=`);
  }
  return values;
}

/** printable = %x21-2B / %x2D-7E, the nonce alphabet (RFC 5802 §7). */
export function isPrintableNonce(nonce: string): boolean {
  if (nonce.length === 0) return false;
  for (let i = 0; i < nonce.length; i++) {
    const c = nonce.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x2c) return false;
  }
  return true;
}

/** The mechanism name for `hash` with or without channel binding. */
export function scramName(hash: ScramHash, plus: boolean): string {
  return `SCRAM-${hash}${plus ? "-PLUS" : ""}`;
}
