import { ReplyCodeError, showInput } from "./errors.js";

/** One basic reply code and what the RFCs that define it say it means. */
export interface ReplyCodeEntry {
  readonly code: number;
  /** The RFC's wording, with `<domain>` and `<forward-path>` placeholders kept. */
  readonly meaning: string;
  /** Where the code is defined, e.g. `"RFC 5321 §4.2.3"`. */
  readonly references: readonly string[];
}

/** What a code not in `REPLY_CODES` can still be said to mean, from its digits. */
export interface ReplyCodeInfo extends ReplyCodeEntry {
  /** `true` when the code is in `REPLY_CODES`; otherwise `meaning` is read off its digits. */
  readonly known: boolean;
}

const rfc5321 = ["RFC 5321 §4.2.2", "RFC 5321 §4.2.3"] as const;

/**
 * Every reply code of RFC 5321 §4.2.2/§4.2.3, and the codes that extensions in common use add:
 * AUTH (RFC 4954), STARTTLS (RFC 3207) and the "does not accept mail" codes (RFC 7504).
 * Where an extension gives an RFC 5321 code another use, both uses are in `meaning`.
 */
export const REPLY_CODES: readonly ReplyCodeEntry[] = Object.freeze(
  (
    [
      { code: 211, meaning: "System status, or system help reply", references: rfc5321 },
      {
        code: 214,
        meaning:
          "Help message (information on how to use the receiver or the meaning of a particular non-standard command; useful only to the human user)",
        references: rfc5321,
      },
      { code: 220, meaning: "<domain> Service ready", references: rfc5321 },
      { code: 221, meaning: "<domain> Service closing transmission channel", references: rfc5321 },
      { code: 235, meaning: "Authentication succeeded", references: ["RFC 4954 §6"] },
      { code: 250, meaning: "Requested mail action okay, completed", references: rfc5321 },
      { code: 251, meaning: "User not local; will forward to <forward-path>", references: rfc5321 },
      {
        code: 252,
        meaning: "Cannot VRFY user, but will accept message and attempt delivery",
        references: rfc5321,
      },
      { code: 334, meaning: "Server challenge (base64 text) in an AUTH exchange", references: ["RFC 4954 §4"] },
      { code: 354, meaning: "Start mail input; end with <CRLF>.<CRLF>", references: rfc5321 },
      {
        code: 421,
        meaning:
          "<domain> Service not available, closing transmission channel (may be a reply to any command if the service knows it must shut down)",
        references: rfc5321,
      },
      { code: 432, meaning: "A password transition is needed", references: ["RFC 4954 §6"] },
      {
        code: 450,
        meaning:
          "Requested mail action not taken: mailbox unavailable (e.g., mailbox busy or temporarily blocked for policy reasons)",
        references: rfc5321,
      },
      { code: 451, meaning: "Requested action aborted: local error in processing", references: rfc5321 },
      { code: 452, meaning: "Requested action not taken: insufficient system storage", references: rfc5321 },
      {
        code: 454,
        meaning: "TLS not available due to temporary reason (STARTTLS); temporary authentication failure (AUTH)",
        references: ["RFC 3207 §4", "RFC 4954 §6"],
      },
      { code: 455, meaning: "Server unable to accommodate parameters", references: rfc5321 },
      {
        code: 500,
        meaning: "Syntax error, command unrecognized (this may include errors such as command line too long)",
        references: rfc5321,
      },
      { code: 501, meaning: "Syntax error in parameters or arguments", references: rfc5321 },
      { code: 502, meaning: "Command not implemented", references: rfc5321 },
      { code: 503, meaning: "Bad sequence of commands", references: rfc5321 },
      { code: 504, meaning: "Command parameter not implemented", references: rfc5321 },
      {
        code: 521,
        meaning: "Host does not accept mail (a server that accepts no mail at all, at connection opening)",
        references: ["RFC 7504"],
      },
      {
        code: 530,
        meaning: "Must issue a STARTTLS command first (STARTTLS); authentication required (AUTH)",
        references: ["RFC 3207 §4", "RFC 4954 §6"],
      },
      { code: 534, meaning: "Authentication mechanism is too weak", references: ["RFC 4954 §6"] },
      { code: 535, meaning: "Authentication credentials invalid", references: ["RFC 4954 §6"] },
      {
        code: 538,
        meaning: "Encryption required for requested authentication mechanism",
        references: ["RFC 4954 §6"],
      },
      {
        code: 550,
        meaning:
          "Requested action not taken: mailbox unavailable (e.g., mailbox not found, no access, or command rejected for policy reasons)",
        references: rfc5321,
      },
      { code: 551, meaning: "User not local; please try <forward-path>", references: rfc5321 },
      { code: 552, meaning: "Requested mail action aborted: exceeded storage allocation", references: rfc5321 },
      {
        code: 553,
        meaning: "Requested action not taken: mailbox name not allowed (e.g., mailbox syntax incorrect)",
        references: rfc5321,
      },
      {
        code: 554,
        meaning: 'Transaction failed (or, in the case of a connection-opening response, "No SMTP service here")',
        references: rfc5321,
      },
      { code: 555, meaning: "MAIL FROM/RCPT TO parameters not recognized or not implemented", references: rfc5321 },
      {
        code: 556,
        meaning: "Domain does not accept mail (e.g., its null MX says so)",
        references: ["RFC 7504", "RFC 7505"],
      },
    ] satisfies ReplyCodeEntry[]
  ).map((entry) => Object.freeze({ ...entry, references: Object.freeze([...entry.references]) })),
);

const byCode = new Map<number, ReplyCodeEntry>(REPLY_CODES.map((entry) => [entry.code, entry]));

/** Reply-code = %x32-35 %x30-35 %x30-39  (RFC 5321 §4.2) */
export function isReplyCode(value: unknown): value is number {
  return (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= 200 &&
    value <= 599 &&
    Math.floor(value / 10) % 10 <= 5
  );
}

/** Throws `ReplyCodeError("bad-reply-code")` unless `value` is a reply code. */
export function checkReplyCode(value: unknown): number {
  if (!isReplyCode(value)) {
    throw new ReplyCodeError(
      "bad-reply-code",
      `not an SMTP reply code: ${showInput(value)} (RFC 5321 §4.2: three digits, the first 2-5, the second 0-5)`,
    );
  }
  return value;
}

// RFC 5321 §4.2.1: what the first and the second digit say on their own.
const FIRST_DIGIT: Readonly<Record<number, string>> = {
  2: "Positive Completion reply",
  3: "Positive Intermediate reply",
  4: "Transient Negative Completion reply",
  5: "Permanent Negative Completion reply",
};
const SECOND_DIGIT: Readonly<Record<number, string>> = {
  0: "syntax",
  1: "information",
  2: "connections",
  3: "unspecified",
  4: "unspecified",
  5: "mail system",
};

/**
 * What a basic reply code means: its `REPLY_CODES` entry, or for any other valid code the meaning
 * of its first two digits (RFC 5321 §4.2.1). Throws `ReplyCodeError("bad-reply-code")` for a
 * value that is not a reply code.
 */
export function describeReplyCode(code: number): ReplyCodeInfo {
  checkReplyCode(code);
  const entry = byCode.get(code);
  if (entry !== undefined) return Object.freeze({ ...entry, known: true });
  const first = FIRST_DIGIT[Math.floor(code / 100)];
  const second = SECOND_DIGIT[Math.floor(code / 10) % 10];
  return Object.freeze({
    code,
    meaning: `${first}, ${second} (no registered meaning)`,
    references: Object.freeze(["RFC 5321 §4.2.1"]),
    known: false,
  });
}
