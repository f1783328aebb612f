import { type SmtpSyntaxError, syntaxError } from "./errors.js";

/** Base64 (RFC 4648 §4) of `bytes`, as AUTH puts initial responses and challenges on the wire. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Int8Array(128).fill(-1);
for (let k = 0; k < 64; k++) B64_VALUE[B64.charCodeAt(k)] = k;

/**
 * Strict base64 (RFC 4648 §4) of `t` from `start`, as RFC 4954 requires for AUTH initial responses
 * and continuation lines: whole quanta, `=` padding only at the end, and
 * zero pad bits, so each byte string has exactly one accepted encoding. Error texts never echo the
 * input: it is a credential.
 */
export function decodeBase64(t: string, start = 0): Uint8Array {
  const n = t.length - start;
  if (n % 4 !== 0) throw badBase64();
  const pad = t.charCodeAt(t.length - 1) !== 0x3d ? 0 : t.charCodeAt(t.length - 2) !== 0x3d ? 1 : 2;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = start; i < t.length; i += 4) {
    const lastQuantum = i + 4 === t.length;
    const a = b64(t, i);
    const b = b64(t, i + 1);
    const c = lastQuantum && pad === 2 ? 0 : b64(t, i + 2);
    const d = lastQuantum && pad >= 1 ? 0 : b64(t, i + 3);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
    // The bits after the last byte must be zero (RFC 4648 §3.5).
    if (lastQuantum && ((pad === 1 && (c & 0x3) !== 0) || (pad === 2 && (b & 0xf) !== 0))) throw badBase64();
  }
  return out;
}

function b64(t: string, i: number): number {
  const c = t.charCodeAt(i);
  const v = c < 128 ? (B64_VALUE[c] as number) : -1;
  if (v < 0) throw badBase64();
  return v;
}

function badBase64(): SmtpSyntaxError {
  return syntaxError("bad-base64", 501, "5.5.2", "Invalid base64 in AUTH response");
}
