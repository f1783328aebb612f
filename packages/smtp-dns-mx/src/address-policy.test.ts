import { describe, expect, test } from "vitest";
import { type AddressClass, classifyAddress, parseAllowList, refusalOf, refusalOfText } from "./address-policy.js";
import { parseIp } from "./ip.js";

const cls = (a: string): AddressClass => classifyAddress(parseIp(a) as NonNullable<ReturnType<typeof parseIp>>);

describe("RFC 6890 special-purpose addresses are refused", () => {
  test.each([
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["169.254.10.10", "link-local"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.1", "documentation"],
    ["203.0.113.1", "documentation"],
    ["198.18.0.1", "reserved"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["::127.0.0.1", "reserved"],
    ["fe80::1", "link-local"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["3fff::1", "documentation"],
    ["2001::1", "reserved"],
    ["100::1", "reserved"],
    ["64:ff9b:1::1", "private"],
    ["4000::1", "reserved"],
  ])("%s is %s", (address, expected) => {
    expect(cls(address)).toBe(expected);
  });

  test.each([
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.0.1", "link-local"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a00:1", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:c0a8:101::1", "private"],
  ])("RFC 4291 §2.5.5.2 / RFC 6052 / RFC 3056: %s takes the class of the IPv4 address inside (%s)", (address, expected) => {
    expect(cls(address)).toBe(expected);
  });

  test.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2a00:1450:4001:80b::200e", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1"])(
    "%s is public",
    (address) => {
      expect(cls(address)).toBe("public");
    },
  );
});

describe("the allow-list", () => {
  test("allowed blocks are not refused; others still are", () => {
    const allow = parseAllowList(["127.0.0.0/8", "fd00::/8", "192.0.2.10"]);
    expect(refusalOf(parseIp("127.0.0.1") as never, allow)).toBeUndefined();
    expect(refusalOf(parseIp("fd00::5") as never, allow)).toBeUndefined();
    expect(refusalOf(parseIp("192.0.2.10") as never, allow)).toBeUndefined();
    expect(refusalOf(parseIp("192.0.2.11") as never, allow)).toBe("documentation");
    expect(refusalOf(parseIp("10.0.0.1") as never, allow)).toBe("private");
  });

  test("an allowed IPv4 block also allows its mapped and NAT64 forms", () => {
    const allow = parseAllowList(["127.0.0.0/8"]);
    expect(refusalOfText("::ffff:127.0.0.1", allow)).toBeUndefined();
    expect(refusalOfText("64:ff9b::7f00:1", allow)).toBeUndefined();
    expect(refusalOfText("::1", allow)).toBe("loopback");
  });

  test("malformed entries are TypeErrors; unparseable addresses are refused", () => {
    expect(() => parseAllowList(["10.0.0.0/8", "nonsense"])).toThrow(TypeError);
    expect(refusalOfText("not-an-ip", [])).toBe("reserved");
  });
});
