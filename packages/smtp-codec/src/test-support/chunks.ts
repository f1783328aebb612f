/**
 * Octet helpers for the streaming readers' tests (LineReader, DataDecoder, DataEncoder, BdatReader):
 * latin1 strings as bytes and back, and cutting an input into chunks at arbitrary points.
 * Test-only: not exported from the package.
 */
import { Buffer } from "node:buffer";
import fc from "fast-check";

/** `s` as octets, one per char (latin1), so that any octet can be written in a string. */
export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

/** `u` as a string, one char per octet (latin1): the inverse of `bytes`. */
export const str = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("latin1");

export const concatBytes = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Split `input` at the given cut points (taken modulo length + 1; repeats give empty chunks). */
export function splitAt(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (input.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(input.subarray(from, p));
    from = p;
  }
  chunks.push(input.subarray(from));
  return chunks;
}

/** Cut points for `splitAt`: up to 12 of them, any size (taken modulo the input's length + 1). */
export const cutsArb = fc.array(fc.nat(), { maxLength: 12 });
