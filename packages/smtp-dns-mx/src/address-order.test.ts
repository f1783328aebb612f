import { describe, expect, test } from "vitest";
import { orderAddresses } from "./address-order.js";

const v4 = ["192.0.2.1", "192.0.2.2", "192.0.2.3"];
const v6 = ["2001:db8::1", "2001:db8::2"];

describe("address order within a host (RFC 5321 §5.1, RFC 8305 §4)", () => {
  test("IPv6 first, interleaved", () => {
    expect(orderAddresses(v4, v6, { prefer: "ipv6", interleave: true, max: 10 })).toEqual([
      "2001:db8::1",
      "192.0.2.1",
      "2001:db8::2",
      "192.0.2.2",
      "192.0.2.3",
    ]);
  });

  test("IPv4 first, not interleaved, resolver order kept inside a family", () => {
    expect(orderAddresses(v4, v6, { prefer: "ipv4", interleave: false, max: 10 })).toEqual([...v4, ...v6]);
  });

  test("the cap keeps the first addresses; with interleaving both families survive it", () => {
    expect(orderAddresses(v4, v6, { prefer: "ipv4", interleave: true, max: 2 })).toEqual(["192.0.2.1", "2001:db8::1"]);
    expect(orderAddresses(v4, v6, { prefer: "ipv4", interleave: false, max: 2 })).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  test("one family empty; duplicates removed", () => {
    expect(orderAddresses([], v6, { prefer: "ipv4", interleave: true, max: 5 })).toEqual(v6);
    expect(orderAddresses(["192.0.2.1", "192.0.2.1"], [], { prefer: "ipv6", interleave: true, max: 5 })).toEqual(["192.0.2.1"]);
  });
});
