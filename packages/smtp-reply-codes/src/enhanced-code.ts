import {
  ENHANCED_CLASSES,
  ENHANCED_STATUS_CODES,
  ENHANCED_SUBJECTS,
  type EnhancedClassEntry,
  type EnhancedStatusEntry,
  type EnhancedSubjectEntry,
} from "./enhanced-registry.js";
import { ReplyCodeError, showInput } from "./errors.js";
import type { EnhancedCode, EnhancedCodeString } from "./types.js";

/**
 * status-code = class "." subject "." detail
 * class = "2" / "4" / "5"
 * subject = 1*3digit
 * detail = 1*3digit  (RFC 3463 §2)
 *
 * RFC 3463 also says each numeric sub-code "MUST be expressed without leading zero digits", so
 * "5.01.1" is refused: accepting it would give two spellings of one code. Nothing is trimmed;
 * splitting the code from the reply text is the codec's job.
 */
const STATUS_CODE = /^([245])\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;

/** Parse `"5.1.1"` into `{ cls: 5, subject: 1, detail: 1 }`; throws `ReplyCodeError("bad-enhanced-code")`. */
export function parseEnhancedCode(text: string): EnhancedCode {
  const match = typeof text === "string" ? STATUS_CODE.exec(text) : null;
  if (match === null) {
    throw new ReplyCodeError(
      "bad-enhanced-code",
      `not an enhanced status code: ${showInput(text)} (RFC 3463 §2: class.subject.detail, class 2, 4 or 5, subject and detail 0-999 without leading zeros)`,
    );
  }
  return Object.freeze({
    cls: Number(match[1]) as 2 | 4 | 5,
    subject: Number(match[2]),
    detail: Number(match[3]),
  });
}

/** Whether `value` is a well-formed enhanced status code string; the non-throwing `parseEnhancedCode`. */
export function isEnhancedCode(value: unknown): value is EnhancedCodeString {
  return typeof value === "string" && STATUS_CODE.test(value);
}

function isSubCode(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 999;
}

/**
 * Check an `EnhancedCode` value that came from elsewhere: class 2, 4 or 5, subject and detail
 * integers 0–999 (the 1*3digit of RFC 3463 §2). Returns it unchanged; throws
 * `ReplyCodeError("bad-enhanced-code")`.
 */
export function checkEnhancedCode(value: EnhancedCode): EnhancedCode {
  const candidate = value as Partial<Record<keyof EnhancedCode, unknown>> | null;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    (candidate.cls !== 2 && candidate.cls !== 4 && candidate.cls !== 5) ||
    !isSubCode(candidate.subject) ||
    !isSubCode(candidate.detail)
  ) {
    const shown =
      typeof candidate === "object" && candidate !== null
        ? `{ cls: ${showInput(candidate.cls)}, subject: ${showInput(candidate.subject)}, detail: ${showInput(candidate.detail)} }`
        : showInput(candidate);
    throw new ReplyCodeError(
      "bad-enhanced-code",
      `not an enhanced status code: ${shown} (RFC 3463 §2: class 2, 4 or 5, subject and detail integers 0-999)`,
    );
  }
  return value;
}

/** Format `{ cls: 5, subject: 1, detail: 1 }` as `"5.1.1"`; throws `ReplyCodeError` for an invalid value. */
export function formatEnhancedCode(code: EnhancedCode): EnhancedCodeString {
  checkEnhancedCode(code);
  return `${code.cls}.${code.subject}.${code.detail}`;
}

function toCode(code: EnhancedCode | string): EnhancedCode {
  return typeof code === "string" ? parseEnhancedCode(code) : checkEnhancedCode(code);
}

const classByNumber = new Map<number, EnhancedClassEntry>(ENHANCED_CLASSES.map((e) => [e.cls, e]));
const subjectByNumber = new Map<number, EnhancedSubjectEntry>(ENHANCED_SUBJECTS.map((e) => [e.subject, e]));
const entryByKey = new Map<string, EnhancedStatusEntry>(ENHANCED_STATUS_CODES.map((e) => [e.code, e]));

/** The Subject Sub-Codes entry of an enhanced code (`X.1.YYY` for `"5.1.1"`), or undefined if unregistered. */
export function subjectOf(code: EnhancedCode | string): EnhancedSubjectEntry | undefined {
  return subjectByNumber.get(toCode(code).subject);
}

/** What `describeEnhancedCode` found for a code. */
export interface EnhancedCodeDescription {
  readonly code: EnhancedCode;
  readonly text: EnhancedCodeString;
  /** How precise the description is: the exact X.Y.Z entry, only its subject, or only its class. */
  readonly match: "exact" | "subject" | "class";
  /** One line: the entry's sample text, else the subject's summary, else the class's. */
  readonly summary: string;
  readonly classEntry: EnhancedClassEntry;
  readonly subjectEntry?: EnhancedSubjectEntry;
  readonly entry?: EnhancedStatusEntry;
}

/**
 * Look an enhanced code up in the IANA registry: the exact `X.subject.detail` entry, falling back
 * to the subject (for e.g. 5.1.99) and then the class (for e.g. 5.9.0). Throws `ReplyCodeError`
 * for a malformed code.
 */
export function describeEnhancedCode(code: EnhancedCode | string): EnhancedCodeDescription {
  const value = toCode(code);
  const classEntry = classByNumber.get(value.cls) as EnhancedClassEntry;
  const subjectEntry = subjectByNumber.get(value.subject);
  const entry = entryByKey.get(`X.${value.subject}.${value.detail}`);
  const base = { code: value, text: formatEnhancedCode(value), classEntry };
  if (entry !== undefined && subjectEntry !== undefined) {
    // X.6.10 has no sample text of its own: IANA lists it only as a duplicate of X.6.8.
    const summary = entry.sampleText !== "" ? entry.sampleText : entry.description;
    return Object.freeze({ ...base, match: "exact", summary, subjectEntry, entry });
  }
  if (subjectEntry !== undefined) {
    return Object.freeze({ ...base, match: "subject", summary: subjectEntry.summary, subjectEntry });
  }
  return Object.freeze({ ...base, match: "class", summary: classEntry.summary });
}
