import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { addressBytes, matchesCidr, parseCidr } from "./cidr.js";
import { ipv6, parseProxyHeader } from "./proxy-protocol.js";
import { proxyV1, proxyV2 } from "./test-support/proxy.js";

const ipv4Arb = fc.ipV4();
const ipv6Arb = fc.ipV6();
const portArb = fc.integer({ min: 0, max: 65535 });
const canonical6 = (a: string) => ipv6(addressBytes(a) as Uint8Array, 0);

describe("PROXY protocol v1 (haproxy proxy-protocol.txt §2.1)", () => {
  test("known answer: TCP4 with the client's first command after it", () => {
    const r = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\nEHLO x\r\n"));
    expect(r).toEqual({
      status: "done",
      consumed: 44,
      header: {
        version: 1,
        command: "PROXY",
        family: "TCP4",
        source: { address: "192.0.2.1", port: 56324 },
        destination: { address: "198.51.100.2", port: 25 },
      },
    });
  });

  test("UNKNOWN carries no addresses", () => {
    const r = parseProxyHeader(Buffer.from("PROXY UNKNOWN\r\n"));
    expect(r).toMatchObject({ status: "done", consumed: 15, header: { family: "UNKNOWN" } });
  });

  test.prop([fc.boolean(), ipv4Arb, ipv4Arb, ipv6Arb, ipv6Arb, portArb, portArb])(
    "format then parse gives the addresses back",
    (v4, s4, d4, s6, d6, sp, dp) => {
      const [src, dst] = v4 ? [s4, d4] : [s6, d6];
      const bytes = proxyV1(v4 ? "TCP4" : "TCP6", src, dst, sp, dp);
      const r = parseProxyHeader(bytes);
      expect(r).toEqual({
        status: "done",
        consumed: bytes.length,
        header: { version: 1, command: "PROXY", family: v4 ? "TCP4" : "TCP6", source: { address: src, port: sp }, destination: { address: dst, port: dp } },
      });
    },
  );

  test.prop([ipv4Arb, ipv4Arb, portArb, portArb])("every proper prefix is incomplete", (src, dst, sp, dp) => {
    const bytes = proxyV1("TCP4", src, dst, sp, dp);
    for (let n = 0; n < bytes.length; n++) expect(parseProxyHeader(bytes.subarray(0, n)).status).toBe("incomplete");
  });

  test("a header longer than 107 octets is invalid, however it arrives", () => {
    const long = Buffer.from(`PROXY TCP4 ${"1".repeat(120)}`);
    expect(parseProxyHeader(long).status).toBe("invalid");
  });

  test.each([
    ["bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"],
    ["leading zero port", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"],
    ["port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n"],
    ["v6 address in TCP4", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n"],
    ["missing field", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"],
    ["unknown family", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"],
    ["not a header", "EHLO client\r\n"],
    ["lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n"],
  ])("invalid: %s", (_name, text) => {
    expect(parseProxyHeader(Buffer.from(text)).status).toBe("invalid");
  });
});

describe("PROXY protocol v2 (haproxy proxy-protocol.txt §2.2)", () => {
  test.prop([fc.boolean(), ipv4Arb, ipv4Arb, ipv6Arb, ipv6Arb, portArb, portArb, fc.uint8Array({ maxLength: 64 })])(
    "encode then parse gives the addresses back, TLVs skipped",
    (v4, s4, d4, s6, d6, sp, dp, tlvs) => {
      const [src, dst] = v4 ? [s4, d4] : [s6, d6];
      const bytes = proxyV2("PROXY", v4 ? "TCP4" : "TCP6", src, dst, sp, dp, tlvs);
      const r = parseProxyHeader(Buffer.concat([bytes, Buffer.from("EHLO x\r\n")]));
      const norm = v4 ? (a: string) => a : canonical6;
      expect(r).toEqual({
        status: "done",
        consumed: bytes.length,
        header: {
          version: 2,
          command: "PROXY",
          family: v4 ? "TCP4" : "TCP6",
          source: { address: norm(src), port: sp },
          destination: { address: norm(dst), port: dp },
        },
      });
    },
  );

  test.prop([ipv6Arb, ipv6Arb, portArb, portArb])("every proper prefix is incomplete", (src, dst, sp, dp) => {
    const bytes = proxyV2("PROXY", "TCP6", src, dst, sp, dp);
    for (let n = 0; n < bytes.length; n++) expect(parseProxyHeader(bytes.subarray(0, n)).status).toBe("incomplete");
  });

  test("LOCAL (health checks) keeps the real peer", () => {
    const r = parseProxyHeader(proxyV2("LOCAL", "TCP4", "1.2.3.4", "5.6.7.8", 1, 2));
    expect(r).toMatchObject({ status: "done", header: { command: "LOCAL", family: "UNKNOWN" } });
    expect(r.status === "done" && r.header.source).toBeUndefined();
  });

  test("a header over the size cap is invalid before it is all read", () => {
    const bytes = proxyV2("PROXY", "TCP4", "1.2.3.4", "5.6.7.8", 1, 2, new Uint8Array(5000));
    expect(parseProxyHeader(bytes.subarray(0, 16)).status).toBe("invalid");
    expect(parseProxyHeader(bytes, 8192).status).toBe("done");
  });

  test("wrong version, command or family is invalid", () => {
    const good = proxyV2("PROXY", "TCP4", "1.2.3.4", "5.6.7.8", 1, 2);
    const bad = (at: number, v: number) => {
      const b = Buffer.from(good);
      b[at] = v;
      return parseProxyHeader(b).status;
    };
    expect(bad(12, 0x11)).toBe("invalid");
    expect(bad(12, 0x22)).toBe("invalid");
    expect(bad(13, 0x41)).toBe("invalid");
    expect(bad(13, 0x13)).toBe("invalid");
  });

  test("IPv6 text is RFC 5952 canonical", () => {
    expect(canonical6("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(canonical6("::1")).toBe("::1");
    expect(canonical6("1::")).toBe("1::");
    expect(canonical6("1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
  });
});

test.prop([fc.uint8Array({ maxLength: 300 })])("arbitrary bytes never throw", (bytes) => {
  const r = parseProxyHeader(bytes);
  expect(["incomplete", "done", "invalid"]).toContain(r.status);
  if (r.status === "done") expect(r.consumed).toBeLessThanOrEqual(bytes.length);
});

test.prop([fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 64 })])(
  "any split: a prefix never contradicts the whole",
  (bytes, cut) => {
    const whole = parseProxyHeader(bytes);
    const part = parseProxyHeader(bytes.subarray(0, Math.min(cut, bytes.length)));
    if (part.status === "done") expect(whole).toEqual(part);
    if (part.status === "invalid") expect(whole.status).toBe("invalid");
  },
);

describe("CIDR matching", () => {
  test.each([
    ["127.0.0.1", "127.0.0.0/8", true],
    ["::ffff:127.0.0.1", "127.0.0.0/8", true],
    ["128.0.0.1", "127.0.0.0/8", false],
    ["10.1.2.3", "10.1.2.3", true],
    ["10.1.2.4", "10.1.2.3", false],
    ["2001:db8::5", "2001:db8::/32", true],
    ["2001:db9::5", "2001:db8::/32", false],
    ["::1", "::1/128", true],
    ["192.168.1.130", "192.168.1.128/25", true],
    ["192.168.1.127", "192.168.1.128/25", false],
    ["anything", "0.0.0.0/0", false],
    ["8.8.8.8", "0.0.0.0/0", true],
  ])("%s in %s: %s", (addr, block, yes) => {
    expect(matchesCidr(addr, [parseCidr(block)])).toBe(yes);
  });

  test.each(["10.0.0.0/33", "::/129", "10.0.0.0/08", "host.example", "10.0.0/8"])("%s is refused", (bad) => {
    expect(() => parseCidr(bad)).toThrow(RangeError);
  });
});
