import { describe, expect, test } from "vitest";
import { createClientMechanism } from "./client.js";
import { normalizePassword, prepareUsername, saslprep } from "./saslprep.js";
import { CLEAR, expectSaslError, text } from "./test-support/helpers.js";

describe("RFC 4013 §3: the examples", () => {
  const table: [number, string, string, string][] = [
    [1, "I\u00ADX", "IX", "SOFT HYPHEN mapped to nothing"],
    [2, "user", "user", "no transformation"],
    [3, "USER", "USER", "case preserved, will not match #2"],
    [4, "\u00AA", "a", "output is NFKC, input in ISO 8859-1"],
    [5, "\u2168", "IX", "output is NFKC, will match #1"],
  ];
  for (const [n, input, output, comment] of table) {
    test(`#${n} ${JSON.stringify(input)} -> ${JSON.stringify(output)}: ${comment}`, () => {
      expect(saslprep(input)).toBe(output);
    });
  }

  test("#6 <U+0007>: Error - prohibited character", async () => {
    const e = await expectSaslError(() => saslprep("\u0007"), "unrepresentable");
    expect(e.message).toContain("Prohibited character");
  });

  test("#7 <U+0627><U+0031>: Error - bidirectional check", async () => {
    const e = await expectSaslError(() => saslprep("\u0627\u0031"), "unrepresentable");
    expect(e.message).toMatch(/RandALCat/);
  });
});

describe("SASLprep as SCRAM uses it (RFC 5802 §5.1, §2.2)", () => {
  test("a stored string refuses unassigned code points, a query allows them", async () => {
    await expectSaslError(() => saslprep("a\u0378"), "unrepresentable");
    expect(saslprep("a\u0378", { allowUnassigned: true })).toBe("a\u0378");
  });

  test("user names are prepared as query strings; refused or empty ones give undefined", () => {
    expect(prepareUsername("I\u00ADX")).toBe("IX");
    expect(prepareUsername("a\u0378")).toBe("a\u0378");
    expect(prepareUsername("\u00AD")).toBeUndefined();
    expect(prepareUsername("a\u0007")).toBeUndefined();
  });

  test("passwords are prepared as stored strings, and used as they are when SASLprep refuses them", () => {
    expect(normalizePassword("\u2168")).toBe("IX");
    expect(normalizePassword("pass\u0000word")).toBe("pass\u0000word");
    expect(normalizePassword("\u0627\u0031")).toBe("\u0627\u0031");
  });

  test("the SCRAM client sends the prepared name: RFC 4013 #1 and #5 are the same user", async () => {
    for (const username of ["I\u00ADX", "\u2168"]) {
      const client = createClientMechanism("SCRAM-SHA-256", { username, password: "pencil" }, CLEAR, { nonce: () => "abc" });
      const { initialResponse } = await client.start();
      expect(text(initialResponse as Uint8Array)).toBe("n,,n=IX,r=abc");
    }
  });

  test("the SCRAM client refuses a name SASLprep refuses", async () => {
    await expectSaslError(() => createClientMechanism("SCRAM-SHA-1", { username: "\u0627\u0031", password: "p" }, CLEAR), "unrepresentable");
  });
});
