/**
 * Test-only fast-check arbitraries: user names, passwords and tokens made mostly of the characters
 * the mechanisms have to handle with care — "," "=" NUL %x01 SP, "=2C"-look-alikes, non-ASCII,
 * astral, characters SASLprep maps or refuses — and otherwise any Unicode scalar value.
 */
import fc from "fast-check";

const ORDINARY = [..."abcxyzABCXYZ0189.@-_+"];
const SPECIAL = [",", "=", "\0", "\x01", " ", "=2C", "=3D", "\t"];
const UNICODE = ["é", "ß", "用", "θ", "я", "😀", "\u00AD", "\u2168", "\u00AA", "\u0627", "\u05D0", "\u0378", "\uFB01"];

const unit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ORDINARY) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);

/** A non-empty string of the units above. */
export const trickyText = (maxLength = 12): fc.Arbitrary<string> => fc.string({ unit, minLength: 1, maxLength });

const B64TOKEN_CHARS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"];

/** Mostly valid b64tokens (RFC 6750 §2.1), sometimes any text. */
export const tokenArb = (): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.string({ unit: fc.constantFrom(...B64TOKEN_CHARS), minLength: 1, maxLength: 40 }), fc.constantFrom("", "=", "=="))
        .map(([body, pad]) => body + pad),
    },
    { weight: 1, arbitrary: trickyText() },
  );

/** A password that does not occur by chance in other text: for checking that it never leaks. */
export const distinctSecret = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...B64TOKEN_CHARS.slice(0, 62)), minLength: 12, maxLength: 24 }).map((s) => `Zq${s}`);
