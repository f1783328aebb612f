import { isIPv4, isIPv6 } from "node:net";
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { canonicalIp, cidrContains, formatIp, parseCidr, parseIp, sameIp } from "./ip.js";

describe("IP addresses as bytes", () => {
  test.each([
    ["192.0.2.1", "192.0.2.1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"],
    ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["::FFFF:c000:201", "::ffff:192.0.2.1"],
    ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
  ])("RFC 5952 §4: %s is written %s", (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
  });

  test.each(["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "::1.2.3", "g::1", ":1", "1:"])(
    "%j is not an address",
    (input) => {
      expect(parseIp(input)).toBeUndefined();
    },
  );

  test.prop([fc.ipV4()])("agrees with node:net on generated IPv4 and round-trips", (a) => {
    const ip = parseIp(a);
    expect(ip !== undefined).toBe(isIPv4(a) && !/(^|\.)0[0-9]/.test(a));
    if (ip !== undefined) expect(parseIp(formatIp(ip))).toEqual(ip);
  });

  test.prop([fc.ipV6()])("agrees with node:net on generated IPv6 and round-trips through RFC 5952 text", (a) => {
    const ip = parseIp(a);
    expect(ip !== undefined).toBe(isIPv6(a));
    if (ip === undefined) return;
    const text = formatIp(ip);
    expect(isIPv6(text)).toBe(true);
    expect(parseIp(text)).toEqual(ip);
    expect(formatIp(parseIp(text) as NonNullable<typeof ip>)).toBe(text);
  });

  test.prop([fc.string({ maxLength: 50 })])("arbitrary text never throws", (s) => {
    const ip = parseIp(s);
    if (ip !== undefined) expect(ip.bytes.length).toBe(ip.family === 4 ? 4 : 16);
  });

  test("an IPv4-mapped address is the same host as its IPv4 address", () => {
    expect(sameIp(parseIp("::ffff:192.0.2.1") as never, parseIp("192.0.2.1") as never)).toBe(true);
    expect(sameIp(parseIp("2001:db8::1") as never, parseIp("2001:DB8:0::1") as never)).toBe(true);
    expect(sameIp(parseIp("192.0.2.1") as never, parseIp("192.0.2.2") as never)).toBe(false);
  });
});

describe("CIDR blocks", () => {
  test.each([
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["172.16.0.0/12", "172.31.255.255", true],
    ["172.16.0.0/12", "172.32.0.0", false],
    ["10.1.2.3/8", "10.9.9.9", true],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["192.0.2.1", "192.0.2.1", true],
    ["192.0.2.1", "192.0.2.2", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["fe80::/10", "febf::1", true],
    ["fe80::/10", "fec0::1", false],
    ["::/0", "192.0.2.1", false],
  ])("%s contains %s: %s", (cidr, ip, inside) => {
    expect(cidrContains(parseCidr(cidr) as never, parseIp(ip) as never)).toBe(inside);
  });

  test.each(["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/08", "x/8", "10.0.0.0/8/8"])("%j is not a block", (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});
