import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { SmtpSyntaxError } from "./errors.js";

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe("RFC 4648 §10: test vectors", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ];
  for (const [plain, encoded] of vectors) {
    test(`"${plain}" <-> "${encoded}"`, () => {
      expect(encodeBase64(Buffer.from(plain, "latin1"))).toBe(encoded);
      expect(text(decodeBase64(encoded))).toBe(plain);
    });
  }
});

describe("RFC 4648 §3.5: only the canonical encoding is accepted", () => {
  for (const bad of ["Zh==", "Zm9=", "Zg=", "Zg", "Z===", "Zm9v\r\n", "Zm 9v", "Zm9v=", "=Zm9", "Zm-v", "Zm_v"]) {
    test(`"${JSON.stringify(bad)}" is bad-base64 501 5.5.2 (RFC 4954 §4)`, () => {
      try {
        decodeBase64(bad);
        expect.unreachable();
      } catch (e) {
        expect(SmtpSyntaxError.isInstance(e)).toBe(true);
        expect((e as SmtpSyntaxError).code).toBe("bad-base64");
        expect((e as SmtpSyntaxError).reply.code).toBe(501);
      }
    });
  }
  test("the error text never echoes the credential", () => {
    try {
      decodeBase64("c2VjcmV0cGFzc3dvcmQ");
    } catch (e) {
      expect((e as Error).message).not.toContain("c2VjcmV0");
    }
  });
});

describe("properties", () => {
  test.prop([fc.uint8Array({ maxLength: 300 })])("decode(encode(b)) equals b", (b) => {
    expect(decodeBase64(encodeBase64(b))).toEqual(b);
  });
  test.prop([fc.uint8Array({ maxLength: 60 }), fc.nat(), fc.string({ maxLength: 10 })])(
    "decoding from an offset ignores what comes before it",
    (b, n, prefix) => {
      const p = prefix.slice(0, n % (prefix.length + 1));
      expect(decodeBase64(p + encodeBase64(b), p.length)).toEqual(b);
    },
  );
  test.prop([fc.string({ unit: "binary", maxLength: 40 })], { numRuns: 500 })(
    "arbitrary text gives bytes that re-encode to it, or a SmtpSyntaxError",
    (s) => {
      try {
        expect(encodeBase64(decodeBase64(s))).toBe(s);
      } catch (e) {
        expect(SmtpSyntaxError.isInstance(e)).toBe(true);
      }
    },
  );
});
