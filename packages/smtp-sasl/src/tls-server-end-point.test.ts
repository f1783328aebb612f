import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { tlsServerEndPoint } from "./tls-server-end-point.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../test/fixtures/${name}.der`, import.meta.url)));
const digest = (hash: string, der: Uint8Array): Uint8Array => new Uint8Array(createHash(hash).update(der).digest());

// Certificates made with `openssl req -x509` for each signature algorithm (see test/fixtures).
describe("tls-server-end-point: the hash follows the certificate's signature algorithm (RFC 5929 §4.1)", () => {
  const cases: [string, string][] = [
    ["rsa-sha1", "sha256"], // SHA-1 → SHA-256
    ["rsa-sha256", "sha256"],
    ["rsa-sha384", "sha384"],
    ["rsa-sha512", "sha512"],
    ["ecdsa-sha256", "sha256"],
    ["ecdsa-sha384", "sha384"],
    ["rsa-pss-sha384", "sha384"], // RSASSA-PSS: the hash named in its parameters (RFC 4055 §3.1)
    ["rsa-pss-default", "sha256"],
  ];
  for (const [name, hash] of cases) {
    test(`RFC 5929 §4.1: ${name} binds with ${hash}`, () => {
      const der = fixture(name);
      expect(tlsServerEndPoint(der)).toEqual(digest(hash, der));
    });
  }

  test("RFC 5929 §4.1: no single hash function (Ed25519) → undefined", () => {
    expect(tlsServerEndPoint(fixture("ed25519"))).toBeUndefined();
  });

  test("RFC 4055 §3.1: RSASSA-PSS without a hashAlgorithm means SHA-1, so SHA-256", () => {
    // SEQUENCE { SEQUENCE {} (a stand-in TBSCertificate), SEQUENCE { OID rsassaPss, SEQUENCE {} }, BIT STRING {} }
    const pss = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    const alg = [0x30, pss.length + 2, ...pss, 0x30, 0x00];
    const body = [0x30, 0x00, ...alg, 0x03, 0x01, 0x00];
    const der = new Uint8Array([0x30, body.length, ...body]);
    expect(tlsServerEndPoint(der)).toEqual(digest("sha256", der));
  });
});

describe("tls-server-end-point: input it cannot read", () => {
  test("an empty, truncated or non-certificate input gives undefined", () => {
    const der = fixture("rsa-sha256");
    for (const bad of [new Uint8Array(0), der.subarray(0, 10), der.subarray(0, der.length - 300), new Uint8Array([0x30, 0x80, 0x00, 0x00])]) {
      expect(tlsServerEndPoint(bad)).toBeUndefined();
    }
  });

  test.prop([fc.uint8Array({ maxLength: 600 })])("arbitrary bytes never throw", (bytes) => {
    const out = tlsServerEndPoint(bytes);
    expect(out === undefined || out.length >= 28).toBe(true);
  });

  test.prop([fc.nat(), fc.nat({ max: 255 })])("a certificate with one octet changed never throws", (at, value) => {
    const der = new Uint8Array(fixture("ecdsa-sha384"));
    der[at % der.length] = value;
    const out = tlsServerEndPoint(der);
    expect(out === undefined || out.length >= 28).toBe(true);
  });
});
