import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { parseStsRecord, selectStsRecord } from "./sts-record.js";

describe("RFC 8461 §3.1: the _mta-sts TXT record", () => {
  test.each([
    ["v=STSv1; id=20160831085700Z;", "20160831085700Z", []],
    ["v=STSv1; id=20160831085700Z", "20160831085700Z", []],
    ["v=STSv1;id=abc", "abc", []],
    ["v=STSv1 ;\tid=abc ; ", "abc", []],
    ["v=STSv1; id=abc; ext_1.x=va-lue:ok; id=second", "abc", [["ext_1.x", "va-lue:ok"]]],
    [`v=STSv1; id=${"A1".repeat(16)}`, "A1".repeat(16), []],
  ])("RFC 8461 §3.1: %j has id %s", (text, id, extensions) => {
    expect(parseStsRecord(text)).toEqual({ id, extensions });
  });

  test.each([
    ["v=STSv1;", "no id"],
    ["v=STSv1", "version only"],
    ["v=STSv2; id=abc", "another version"],
    ["id=abc; v=STSv1", "version not first"],
    ["v=STSv1; id=", "empty id"],
    ["v=STSv1; id=has-hyphen", "id not ALPHA / DIGIT"],
    [`v=STSv1; id=${"a".repeat(33)}`, "id longer than 32"],
    ["v=STSv1; id=abc; noequals", "field without ="],
    ["v=STSv1; id=abc; x=a b", "space in an extension value"],
    ["v=STSv1; id=abc; _x=1", "extension name starting with _"],
    ["V=STSv1; id=abc", "version is case-sensitive"],
  ])("RFC 8461 §3.1: %j is invalid (%s)", (text) => {
    expect(parseStsRecord(text)).toBeUndefined();
  });

  test("RFC 8461 §3.1: strings of one record are concatenated without spaces; other records are ignored", () => {
    expect(selectStsRecord([["v=STSv1; i", "d=abc"], ["google-site-verification=x"]])).toEqual({
      kind: "record",
      record: { id: "abc", extensions: [] },
    });
  });

  test("RFC 8461 §3.1: 'If the number of resulting records is not one' there is no policy", () => {
    expect(selectStsRecord([])).toEqual({ kind: "none" });
    expect(selectStsRecord([["spf1 -all"]])).toEqual({ kind: "none" });
    expect(selectStsRecord([["v=STSv1; id=a"], ["v=STSv1; id=b"]])).toEqual({ kind: "multiple" });
    expect(selectStsRecord([["v=STSv1; id=bad-id"]])).toEqual({ kind: "invalid" });
  });

  test.prop([fc.string({ maxLength: 80 })])("arbitrary text never throws", (s) => {
    const r = parseStsRecord(s);
    if (r !== undefined) expect(r.id).toMatch(/^[A-Za-z0-9]{1,32}$/);
  });
});
