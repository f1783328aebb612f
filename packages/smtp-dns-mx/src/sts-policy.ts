/** The MTA-STS policy file and its `mx` patterns (RFC 8461 §3.2, §4.1). */
import { isHostName, toAsciiDomain } from "./domain-name.js";

export type StsMode = "enforce" | "testing" | "none";

/** A parsed policy. `mx` holds the valid patterns in A-label form, lower case. */
export interface StsPolicy {
  readonly version: "STSv1";
  readonly mode: StsMode;
  /** Seconds the policy may be cached, at most 31 557 600 (RFC 8461 §3.2). */
  readonly maxAge: number;
  readonly mx: readonly string[];
  /** Fields this package does not know, in order (RFC 8461 §3.2: "unknown fields SHALL be ignored"). */
  readonly extensions: readonly (readonly [name: string, value: string])[];
}

/** RFC 8461 §3.2: "maximum value of 31557600" seconds, one year. */
export const MAX_STS_MAX_AGE = 31_557_600;

/** The result of `parseStsPolicy`: the policy, or why the body is not one. */
export type StsPolicyParseResult = { readonly ok: true; readonly policy: StsPolicy } | { readonly ok: false; readonly error: string };

const fail = (error: string): StsPolicyParseResult => ({ ok: false, error });

const FIELD = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):[ \t]*(.*?)[ \t]*$/;

/**
 * An `mx` pattern: `sts-policy-mx-value = ["*."] Domain` (RFC 8461 §3.2), in A-label form. Returns
 * the normalised pattern or `undefined`.
 */
export function normalizeMxPattern(value: string): string | undefined {
  const wildcard = value.startsWith("*.");
  const ascii = toAsciiDomain(wildcard ? value.slice(2) : value);
  if (ascii === undefined || !isHostName(ascii)) return undefined;
  return wildcard ? `*.${ascii}` : ascii;
}

/**
 * sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
 * sts-policy-term   = LF / CRLF
 * sts-policy-field  = sts-policy-version / sts-policy-mode / sts-policy-max-age / sts-policy-mx
 *                     / sts-policy-extension
 * field-delim       = ":" *WSP
 * (RFC 8461 §3.2). Required: `version: STSv1`, `mode` (enforce / testing / none), `max_age`
 * (1*10DIGIT), and at least one `mx` unless the mode is none. A repeated field other than `mx` keeps
 * its first value; every `mx` counts.
 *
 * Lenient where leniency cannot weaken a policy: blank lines are skipped; an `mx` value that is not
 * a valid pattern is left out (which only narrows the allowed hosts); `max_age` above one year is
 * read as one year. Anything else that does not match is `{ ok: false, error }`.
 */
export function parseStsPolicy(text: string): StsPolicyParseResult {
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: string | undefined;
  const mx: string[] = [];
  let mxSeen = 0;
  const extensions: (readonly [string, string])[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === "") continue;
    const m = FIELD.exec(line);
    if (m === null) return fail(`not a "key: value" line: ${JSON.stringify(line.slice(0, 80))}`);
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case "version":
        version ??= value;
        break;
      case "mode":
        mode ??= value;
        break;
      case "max_age":
        maxAge ??= value;
        break;
      case "mx": {
        mxSeen++;
        const pattern = normalizeMxPattern(value);
        if (pattern !== undefined && !mx.includes(pattern)) mx.push(pattern);
        break;
      }
      default:
        extensions.push([key, value]);
    }
  }
  if (version !== "STSv1") return fail(`version must be STSv1, got ${JSON.stringify(version ?? null)}`);
  if (mode !== "enforce" && mode !== "testing" && mode !== "none") {
    return fail(`mode must be enforce, testing or none, got ${JSON.stringify(mode ?? null)}`);
  }
  if (maxAge === undefined || !/^[0-9]{1,10}$/.test(maxAge)) {
    return fail(`max_age must be 1 to 10 digits, got ${JSON.stringify(maxAge ?? null)}`);
  }
  if (mode !== "none" && mx.length === 0) {
    return fail(mxSeen === 0 ? "no mx field" : "no valid mx pattern");
  }
  return {
    ok: true,
    policy: { version: "STSv1", mode, maxAge: Math.min(Number(maxAge), MAX_STS_MAX_AGE), mx, extensions },
  };
}

/**
 * RFC 8461 §4.1: a pattern matches a host when they are equal, or when the pattern is `*.` plus a
 * domain and the host is one label followed by that domain: `*.example.com` matches
 * `mx1.example.com` but not `example.com` nor `a.b.example.com`. Both in A-label form; case is
 * ignored.
 */
export function matchesMxPattern(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith("*.")) return p === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}
