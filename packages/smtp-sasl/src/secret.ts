import { createHash, timingSafeEqual } from "node:crypto";

const BRAND = Symbol.for("@smtpkit/smtp-sasl/Secret");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const REDACTED = "[redacted]";

const encoder = new TextEncoder();
const lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * A password, token or key. Printing it in any usual way — `String(s)`, template literals,
 * `JSON.stringify`, `console.log`/`util.inspect` — gives `[redacted]`; only `reveal()` and
 * `revealBytes()` give the value, so every place that uses it is easy to find.
 *
 * The value lives in a private field: it is not an enumerable property, not copied by spreading or
 * `structuredClone`, and not shown by the inspector.
 */
export class Secret {
  readonly #text: string | undefined;
  readonly #bytes: Uint8Array | undefined;

  /** A string is kept as it is; bytes are copied (later changes to the caller's array do not reach it). */
  constructor(value: string | Uint8Array) {
    if (typeof value === "string") {
      this.#text = value;
    } else if (value instanceof Uint8Array) {
      this.#bytes = new Uint8Array(value);
    } else {
      throw new TypeError("Secret holds a string or a Uint8Array");
    }
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `value` itself when it is already a Secret (also one of another copy of this package), else a new one. */
  static from(value: string | Uint8Array | Secret): Secret {
    if (value instanceof Secret) return value;
    if (Secret.isInstance(value)) return new Secret(value.revealBytes());
    return new Secret(value);
  }

  /** Brand check that survives duplicate installs of the package (unlike `instanceof`). */
  static isInstance(value: unknown): value is Secret {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The value as a string (bytes are decoded as UTF-8, invalid sequences as U+FFFD). */
  reveal(): string {
    return this.#text ?? lenient.decode(this.#bytes);
  }

  /** The value as bytes (a string is encoded as UTF-8); a fresh copy each call. */
  revealBytes(): Uint8Array {
    return this.#text === undefined ? new Uint8Array(this.#bytes ?? []) : encoder.encode(this.#text);
  }

  /**
   * Constant-time comparison of the octets (a string counts as its UTF-8 encoding). Both sides are
   * hashed with SHA-256 first, so neither the content nor the length of either value leaks through
   * timing.
   */
  equals(other: Secret | string | Uint8Array): boolean {
    const theirs = Secret.from(other).revealBytes();
    return timingSafeEqual(digest(this.revealBytes()), digest(theirs));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }
}

function digest(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}
