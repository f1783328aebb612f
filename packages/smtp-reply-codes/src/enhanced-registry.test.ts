import { describe, expect } from "vitest";
import { test } from "@fast-check/vitest";
import { ENHANCED_CLASSES, ENHANCED_STATUS_CODES, ENHANCED_SUBJECTS } from "./enhanced-registry.js";
import { isReplyCode } from "./reply-codes.js";

/**
 * The IANA "SMTP Enhanced Status Codes" registry, Enumerated Status Codes table
 * (smtp-enhanced-status-codes-3): the highest detail registered under each subject. Counted
 * from IANA's published table, which runs X.0.0 … X.7.30 with no gaps:
 *   X.0.0            1  RFC 3463
 *   X.1.0 – X.1.10  11  RFC 3463, X.1.9 RFC 3886, X.1.10 RFC 7505
 *   X.2.0 – X.2.4    5  RFC 3463
 *   X.3.0 – X.3.6    7  RFC 3463, X.3.6 RFC 6710
 *   X.4.0 – X.4.7    8  RFC 3463
 *   X.5.0 – X.5.6    7  RFC 3463, X.5.6 RFC 4954
 *   X.6.0 – X.6.10  11  RFC 3463, X.6.6 RFC 4468, X.6.7 – X.6.10 RFC 6531
 *   X.7.0 – X.7.30  31  RFC 3463, RFC 4954, RFC 5248, RFC 6710, RFC 7293, RFC 7372, RFC 7505,
 *                       draft-levine-mailbomb-header, RFC 8617, RFC 8689
 *                   81 entries
 */
const HIGHEST_DETAIL: Readonly<Record<number, number>> = { 0: 0, 1: 10, 2: 4, 3: 6, 4: 7, 5: 6, 6: 10, 7: 30 };
const IANA_ENUMERATED_COUNT = 81;

describe("IANA Enhanced Status Codes registry (RFC 5248)", () => {
  test("has as many enumerated entries as the IANA table: 81", () => {
    expect(ENHANCED_STATUS_CODES).toHaveLength(IANA_ENUMERATED_COUNT);
    const perSubject = Object.values(HIGHEST_DETAIL).reduce((sum, highest) => sum + highest + 1, 0);
    expect(perSubject).toBe(IANA_ENUMERATED_COUNT);
  });

  test("holds every X.subject.detail from X.s.0 to the highest registered detail, and nothing else", () => {
    const expected = Object.entries(HIGHEST_DETAIL).flatMap(([subject, highest]) =>
      Array.from({ length: highest + 1 }, (_, detail) => `X.${subject}.${detail}`),
    );
    expect(ENHANCED_STATUS_CODES.map((e) => e.code)).toEqual(expected);
  });

  test("has no duplicate codes", () => {
    const codes = ENHANCED_STATUS_CODES.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  test("writes every code in IANA's form, agreeing with its subject and detail fields", () => {
    for (const e of ENHANCED_STATUS_CODES) {
      expect(e.code).toMatch(/^X\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/);
      expect(e.code).toBe(`X.${e.subject}.${e.detail}`);
    }
  });

  test("has the three classes 2, 4, 5 and the eight subjects X.0 – X.7 (RFC 3463 §2)", () => {
    expect(ENHANCED_CLASSES.map((c) => [c.code, c.cls])).toEqual([
      ["2.XXX.YYY", 2],
      ["4.XXX.YYY", 4],
      ["5.XXX.YYY", 5],
    ]);
    expect(ENHANCED_SUBJECTS.map((s) => s.code)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => `X.${n}.YYY`));
    expect(ENHANCED_SUBJECTS.map((s) => s.summary)).toEqual([
      "Other or Undefined Status",
      "Addressing Status",
      "Mailbox Status",
      "Mail System Status",
      "Network and Routing Status",
      "Mail Delivery Protocol Status",
      "Message Content or Media Status",
      "Security or Policy Status",
    ]);
  });

  test("files every enumerated entry under a registered subject", () => {
    const subjects = new Set(ENHANCED_SUBJECTS.map((s) => s.subject));
    for (const e of ENHANCED_STATUS_CODES) expect(subjects.has(e.subject)).toBe(true);
  });

  test("gives every entry a description and a reference, and a sample text unless deprecated", () => {
    for (const e of [...ENHANCED_CLASSES, ...ENHANCED_SUBJECTS, ...ENHANCED_STATUS_CODES]) {
      expect(e.description.trim()).not.toBe("");
      expect(e.description).not.toMatch(/\s{2,}|\n/);
      expect(e.references.length).toBeGreaterThan(0);
      for (const ref of e.references) expect(ref).toMatch(/^(RFC [1-9][0-9]{3}|draft-[a-z0-9-]+)$/);
    }
    for (const e of ENHANCED_STATUS_CODES) {
      if (e.deprecated === true) expect(e.sampleText).toBe("");
      else expect(e.sampleText.trim()).not.toBe("");
    }
    expect(ENHANCED_STATUS_CODES.filter((e) => e.deprecated === true).map((e) => e.code)).toEqual(["X.6.10"]);
  });

  test("associates only valid non-3xx reply codes, each listed once", () => {
    for (const e of ENHANCED_STATUS_CODES) {
      expect(new Set(e.basicCodes).size).toBe(e.basicCodes.length);
      for (const code of e.basicCodes) {
        expect(isReplyCode(code)).toBe(true);
        expect(Math.floor(code / 100)).not.toBe(3);
      }
    }
  });

  test("is frozen all the way down", () => {
    expect(Object.isFrozen(ENHANCED_STATUS_CODES)).toBe(true);
    for (const e of [...ENHANCED_CLASSES, ...ENHANCED_SUBJECTS, ...ENHANCED_STATUS_CODES]) {
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.references)).toBe(true);
    }
  });

  // Known answers, one per defining document.
  test.each([
    ["X.1.1", "Bad destination mailbox address", [451, 550], "RFC 3463"],
    ["X.1.9", "Message relayed to non-compliant mailer", [], "RFC 3886"],
    ["X.1.10", "Recipient address has null MX", [556], "RFC 7505"],
    ["X.3.6", "Requested priority was changed", [250, 251], "RFC 6710"],
    ["X.5.6", "Authentication Exchange line is too long", [500], "RFC 4954"],
    ["X.6.6", "Message content not available", [554], "RFC 4468"],
    ["X.6.7", "Non-ASCII addresses not permitted for that sender/recipient", [553, 550], "RFC 6531"],
    ["X.7.10", "Encryption Needed", [523], "RFC 5248"],
    ["X.7.17", "Mailbox owner has changed", [], "RFC 7293"],
    ["X.7.20", "No passing DKIM signature found", [550], "RFC 7372"],
    ["X.7.27", "Sender address has null MX", [550], "RFC 7505"],
    ["X.7.29", "ARC validation failure", [550], "RFC 8617"],
    ["X.7.30", "REQUIRETLS support required", [550], "RFC 8689"],
  ] as const)("%s is %j (%s)", (code, sampleText, basicCodes, reference) => {
    const e = ENHANCED_STATUS_CODES.find((x) => x.code === code);
    expect(e?.sampleText).toBe(sampleText);
    expect(e?.basicCodes).toEqual(basicCodes);
    expect(e?.references[0]).toBe(reference);
  });

  test("keeps IANA's notes where the associated codes are not a plain list", () => {
    const notes = Object.fromEntries(
      ENHANCED_STATUS_CODES.filter((e) => e.basicCodesNote !== undefined).map((e) => [e.code, e.basicCodesNote]),
    );
    expect(notes).toEqual({
      "X.0.0": "Any",
      "X.7.15": "other 4XX or 5XX codes are allowed",
      "X.7.16": "other 4XX or 5XX codes are allowed",
      "X.7.17": "5XX",
      "X.7.18": "5XX",
      "X.7.19": "5XX",
    });
  });
});
