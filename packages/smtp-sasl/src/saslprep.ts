/**
 * SASLprep (RFC 4013), the stringprep profile SCRAM applies to user names and passwords
 * (RFC 5802 §5.1). The tables and the algorithm come from `@mongodb-js/saslprep`: the Unicode 3.2
 * tables of RFC 3454 are large and easy to get subtly wrong, and that package is maintained and
 * used by the MongoDB drivers for exactly this.
 */
import prep from "@mongodb-js/saslprep";
import { SaslError } from "./errors.js";

export interface SaslprepOptions {
  /**
   * Allow unassigned code points: `true` for a "query" string, `false` (the default) for a "stored"
   * string (RFC 3454 §7).
   */
  readonly allowUnassigned?: boolean;
}

/**
 * SASLprep of `value`: map (B.1 to nothing, C.1.2 to SPACE), NFKC, refuse prohibited output
 * (C.1.2 - C.9), check bidi (RFC 3454 §6). Throws `SaslError("unrepresentable")` when the string
 * is refused; the message names the rule, never the value.
 */
export function saslprep(value: string, options: SaslprepOptions = {}): string {
  try {
    return prep(value, { allowUnassigned: options.allowUnassigned === true });
  } catch (cause) {
    const rule = cause instanceof Error ? /^([^,]*)/.exec(cause.message)?.[1] : undefined;
    throw new SaslError("unrepresentable", `SASLprep refused the string${rule ? `: ${rule}` : ""}`, { cause });
  }
}

/**
 * A SCRAM user name as the client sends it and the server looks it up: SASLprep as a query string
 * (RFC 5802 §5.1 "n"). `undefined` when SASLprep refuses it or it becomes empty.
 */
export function prepareUsername(name: string): string | undefined {
  try {
    const prepared = prep(name, { allowUnassigned: true });
    return prepared.length === 0 ? undefined : prepared;
  } catch {
    return undefined;
  }
}

/**
 * `Normalize(password)` of RFC 5802 §2.2: SASLprep as a stored string. A password that SASLprep
 * refuses (a control character, an unassigned code point, mixed bidi) is used as it is, the choice
 * PostgreSQL made too: refusing it would lock its owner out, and client, server and
 * `deriveScramCredentials` here all apply the same rule, so they agree.
 */
export function normalizePassword(password: string): string {
  try {
    return prep(password, { allowUnassigned: false });
  } catch {
    return password;
  }
}
