import { describe, expect, test } from "vitest";
import { isHostName, normalizeDnsName, parseAddressLiteral, toAsciiDomain } from "./domain-name.js";

describe("IDNA with UTS #46 non-transitional processing (RFC 5890, UTS #46 §4)", () => {
  test.each([
    ["bücher.example", "xn--bcher-kva.example"],
    ["faß.de", "xn--fa-hia.de"],
    ["BÜCHER.Example.", "xn--bcher-kva.example"],
    ["ＥＸＡＭＰＬＥ．com", "example.com"],
    ["例子.测试", "xn--fsqu00a.xn--0zwm56d"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["XN--BCHER-KVA.EXAMPLE", "xn--bcher-kva.example"],
    ["Example.COM", "example.com"],
    ["localhost", "localhost"],
    ["a-b--c.x1", "a-b--c.x1"],
    ["123.example", "123.example"],
  ])("%s -> %s", (input, ascii) => {
    expect(toAsciiDomain(input)).toBe(ascii);
  });

  test.each([
    ["", "empty"],
    [".", "root only"],
    ["a..b", "empty label"],
    [".a", "leading dot"],
    ["a.b..", "two trailing dots"],
    ["-a.example", "leading hyphen"],
    ["a-.example", "trailing hyphen"],
    ["a_b.example", "underscore"],
    ["a b.example", "space"],
    ["a%2eb.example", "percent"],
    ["192.0.2.1", "an IPv4 address"],
    ["127.1", "numeric last label"],
    ["0x7f.1", "hex IPv4 form"],
    ["host.0x10", "hex last label"],
    ["xn--zz.example", "bad Punycode"],
    [`${"a".repeat(64)}.example`, "64-octet label"],
    [`${"a.".repeat(127)}com`, "longer than 253"],
    ["a\u200db.example", "ZWJ (CONTEXTJ) outside joining context"],
  ])("%j is refused (%s)", (input) => {
    expect(toAsciiDomain(input)).toBeUndefined();
  });
});

describe("host names (RFC 1123 §2.1)", () => {
  test("isHostName checks LDH labels, lengths and a non-numeric last label", () => {
    expect(isHostName("mx1.example.com")).toBe(true);
    expect(isHostName(`${"a".repeat(63)}.com`)).toBe(true);
    expect(isHostName("192.0.2.1")).toBe(false);
    expect(isHostName("MX.example.com")).toBe(false);
    expect(isHostName("")).toBe(false);
  });

  test("normalizeDnsName lower-cases and strips the root dot", () => {
    expect(normalizeDnsName("MX1.Example.COM.")).toBe("mx1.example.com");
    expect(normalizeDnsName(".")).toBe("");
    expect(normalizeDnsName("")).toBe("");
  });
});

describe("address literals (RFC 5321 §4.1.3)", () => {
  test.each([
    ["[192.0.2.1]", "[192.0.2.1]", "192.0.2.1"],
    ["[010.0.0.001]", "[10.0.0.1]", "10.0.0.1"],
    ["[IPv6:2001:db8:0:0:1:0:0:1]", "[IPv6:2001:db8::1:0:0:1]", "2001:db8::1:0:0:1"],
    ["[IPv6:2001:DB8::1]", "[IPv6:2001:db8::1]", "2001:db8::1"],
    ["[ipv6:::]", "[IPv6:::]", "::"],
    ["[IPv6:1::]", "[IPv6:1::]", "1::"],
    ["[IPv6:1:2:3::4:5:6]", "[IPv6:1:2:3::4:5:6]", "1:2:3::4:5:6"],
    ["[IPv6:1:2:3:4:5:6:1.2.3.4]", "[IPv6:1:2:3:4:5:6:102:304]", "1:2:3:4:5:6:102:304"],
    ["[IPv6:::1.2.3.4]", "[IPv6:::102:304]", "::102:304"],
    ["[IPv6:1:2::3:4:1.2.3.4]", "[IPv6:1:2::3:4:102:304]", "1:2::3:4:102:304"],
    ["[IPv6:::ffff:010.0.0.1]", "[IPv6:::ffff:10.0.0.1]", "::ffff:10.0.0.1"],
  ])("%s is %s", (input, literal, address) => {
    expect(parseAddressLiteral(input)).toMatchObject({ literal, address });
  });

  test.each([
    ["[256.0.0.0]", "Snum above 255"],
    ["[1.2.3.4.]", "trailing dot"],
    ["[1.2.3]", "three Snums"],
    ["[0001.2.3.4]", "four digits"],
    ["[IPv6:1:2:3:4:5:6:7]", "IPv6-full with 7 groups"],
    ["[IPv6:1:2:3:4:5:6:7:8:9]", "IPv6-full with 9 groups"],
    ["[IPv6:1:2:3:4::5:6:7]", "IPv6-comp with 7 groups"],
    ["[IPv6:1:2:3:4:5:6:7::]", "'::' for a single group"],
    ["[IPv6:1:2:3::4:5:1.2.3.4]", "IPv6v4-comp with 5 groups"],
    ["[IPv6:1:2:3:4:5:1.2.3.4]", "IPv6v4-full with 5 groups"],
    ["[IPv6::1]", "single leading colon"],
    ["[IPv6:1::2::3]", "two '::'"],
    ["[IPv6:fe80::1%eth0]", "zone id"],
    ["[x-tag:anything]", "General-address-literal"],
    ["192.0.2.1", "no brackets"],
    ["[192.0.2.1", "no closing bracket"],
    ["[]", "empty"],
  ])("%s is refused (%s)", (input) => {
    expect(parseAddressLiteral(input)).toBeUndefined();
  });
});
