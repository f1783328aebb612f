import { endianness } from "node:os";

/** Bit set in the result of `scanBareLineEnds` when a CR not followed by LF was found. */
export const BARE_CR = 1;
/** Bit set in the result of `scanBareLineEnds` when an LF not preceded by CR was found. */
export const BARE_LF = 2;

const CR = 0x0d;
const LF = 0x0a;
const LITTLE_ENDIAN = endianness() === "LE";

/**
 * Find bare CR and bare LF (RFC 5322 §2.3: "CR and LF MUST only occur together as CRLF") among
 * `bytes[0, end)`. `afterCr` says the octet before `bytes[0]` was a CR. A CR at `end - 1` is not
 * judged: the octet that decides it is not here yet. `skip` holds the flags already known, which
 * need no more looking for. Returns BARE_CR | BARE_LF as found (including `skip`).
 *
 * Why not two `indexOf` loops: that is one native call per line for each flag, and on 76-column
 * text those calls were four fifths of the DATA decoder's time. This reads the octets four at a
 * time as 32-bit words and builds exact per-lane masks of CR and LF (no borrow between lanes), so
 * a clean word costs a few integer operations: in CRLF text every LF lane is exactly a CR lane
 * moved up one octet, carried across words.
 */
export function scanBareLineEnds(bytes: Uint8Array, end: number, afterCr: boolean, skip = 0): number {
  let found = skip;
  if (found === (BARE_CR | BARE_LF)) return found;
  let i = 0;
  let prevCr = afterCr;
  const offset = bytes.byteOffset;
  if (LITTLE_ENDIAN) {
    for (; i < end && ((offset + i) & 3) !== 0; i++) {
      const c = bytes[i] as number;
      if (c === LF ? !prevCr : prevCr) found |= c === LF ? BARE_LF : BARE_CR;
      prevCr = c === CR;
    }
    const words = (end - i) >> 2;
    if (words > 0) {
      const w32 = new Int32Array(bytes.buffer, offset + i, words);
      let carry = prevCr ? 0x80 : 0;
      for (let k = 0; k < words; k++) {
        const w = w32[k] as number;
        const x = w ^ 0x0d0d0d0d;
        const y = w ^ 0x0a0a0a0a;
        // 0x80 in each lane whose octet is CR (resp. LF), exactly.
        const crs = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f);
        const lfs = ~(((y & 0x7f7f7f7f) + 0x7f7f7f7f) | y | 0x7f7f7f7f);
        if (lfs !== ((crs << 8) | carry)) {
          // Something in this word (or a CR carried into it) is bare: judge it octet by octet.
          let before = carry !== 0;
          const at = i + k * 4;
          for (let j = at; j < at + 4; j++) {
            const c = bytes[j] as number;
            if (c === LF ? !before : before) found |= c === LF ? BARE_LF : BARE_CR;
            before = c === CR;
          }
          if (found === (BARE_CR | BARE_LF)) return found;
        }
        carry = (crs >>> 24) & 0x80;
      }
      i += words * 4;
      prevCr = carry !== 0;
    }
  }
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c === LF ? !prevCr : prevCr) found |= c === LF ? BARE_LF : BARE_CR;
    prevCr = c === CR;
  }
  return found;
}
