/** Byte helpers shared by the mechanisms: strict UTF-8, strict base64, constant-time equality, nonces. */
import { randomBytes, timingSafeEqual } from "node:crypto";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The text of `bytes` when they are valid UTF-8 (RFC 3629), else `undefined`. A BOM is kept as U+FEFF. */
export function fromUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A string with no unpaired surrogate, so that its UTF-8 encoding is lossless. */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDFFF]/u.test(s);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Constant-time equality for values whose length is public (digests, proofs): the content never
 * leaks through timing; unequal lengths return false at once.
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * base64 (RFC 4648 §4) in its one canonical form — padding, no white space, zero pad bits — as the
 * SCRAM attributes `s`, `c`, `p` and `v` carry it; `undefined` for anything else.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  // Non-zero pad bits decode to the same bytes as zero ones; only the canonical text re-encodes equal.
  if (bytes.toString("base64") !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A fresh nonce of `octets` random octets as base64: only printable characters other than ",". */
export function randomNonce(octets = 18): string {
  return randomBytes(octets).toString("base64");
}

/** Printable US-ASCII for a message that came from the peer, shortened, for error texts. */
export function printable(text: string, max = 100): string {
  const clean = text.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
