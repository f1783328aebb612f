import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { cutAtSelf, orderByPreference, prepareMx, shuffle } from "./mx-order.js";
import { seededRandom } from "./test-support/random.js";

describe("RFC 5321 §5.1: ordering MX records", () => {
  test("RFC 5321 §5.1: equal preferences are shuffled uniformly — chi-square over all 6 orders of 3 hosts, seeded", () => {
    const random = seededRandom(0x5321);
    const items = [
      { preference: 10, host: "a" },
      { preference: 10, host: "b" },
      { preference: 10, host: "c" },
      { preference: 5, host: "first" },
      { preference: 20, host: "last" },
    ];
    const counts = new Map<string, number>();
    const runs = 6000;
    for (let i = 0; i < runs; i++) {
      const ordered = orderByPreference(items, random);
      expect(ordered[0]?.host).toBe("first");
      expect(ordered[4]?.host).toBe("last");
      const key = ordered.slice(1, 4).map((x) => x.host).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["abc", "acb", "bac", "bca", "cab", "cba"]);
    const expected = runs / 6;
    const chi = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    // 5 degrees of freedom: 20.52 is the 0.001 critical value.
    expect(chi).toBeLessThan(20.52);
  });

  test("the same seed gives the same order (reproducible), another seed may not", () => {
    const items = Array.from({ length: 8 }, (_, i) => ({ preference: 0, host: `h${i}` }));
    const a = orderByPreference(items, seededRandom(1)).map((x) => x.host);
    const b = orderByPreference(items, seededRandom(1)).map((x) => x.host);
    const c = orderByPreference(items, seededRandom(2)).map((x) => x.host);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  test("a random source returning 1, negatives or NaN still gives a permutation", () => {
    for (const r of [1, -0.5, Number.NaN, 7.25]) {
      const out = shuffle([1, 2, 3, 4], () => r);
      expect([...out].sort()).toEqual([1, 2, 3, 4]);
    }
  });

  test.prop([fc.array(fc.record({ preference: fc.integer({ min: 0, max: 5 }), host: fc.string() }), { maxLength: 20 }), fc.integer()])(
    "the result is a permutation sorted by preference",
    (items, seed) => {
      const out = orderByPreference(items, seededRandom(seed));
      expect(out).toHaveLength(items.length);
      for (let i = 1; i < out.length; i++) expect((out[i - 1] as { preference: number }).preference).toBeLessThanOrEqual((out[i] as { preference: number }).preference);
      expect([...out].sort((x, y) => x.preference - y.preference || x.host.localeCompare(y.host))).toEqual(
        [...items].sort((x, y) => x.preference - y.preference || x.host.localeCompare(y.host)),
      );
    },
  );
});

describe("prepareMx", () => {
  const r = () => 0.5;

  test("RFC 7505 §3: a single root record is a null MX", () => {
    expect(prepareMx([{ priority: 0, exchange: "" }], r)).toEqual({ kind: "null-mx" });
    expect(prepareMx([{ priority: 0, exchange: "." }], r)).toEqual({ kind: "null-mx" });
  });

  test("RFC 7505 §3: a root record among others is dropped", () => {
    const p = prepareMx(
      [
        { priority: 0, exchange: "" },
        { priority: 5, exchange: "mx.example" },
      ],
      r,
    );
    expect(p).toEqual({
      kind: "candidates",
      candidates: [{ preference: 5, host: "mx.example" }],
      dropped: [{ preference: 0, host: ".", reason: "null-mx-mixed" }],
    });
  });

  test("RFC 5321 §5.1: IP targets, invalid names and duplicates are dropped with their reason", () => {
    const p = prepareMx(
      [
        { priority: 10, exchange: "192.0.2.1" },
        { priority: 10, exchange: "2001:db8::1" },
        { priority: 10, exchange: "bad_name.example" },
        { priority: 30, exchange: "MX.example." },
        { priority: 20, exchange: "mx.example" },
      ],
      r,
    );
    expect(p).toEqual({
      kind: "candidates",
      candidates: [{ preference: 20, host: "mx.example" }],
      dropped: [
        { preference: 10, host: "192.0.2.1", reason: "ip-address-target" },
        { preference: 10, host: "2001:db8::1", reason: "ip-address-target" },
        { preference: 10, host: "bad_name.example", reason: "invalid-name" },
        { preference: 30, host: "mx.example", reason: "duplicate" },
      ],
    });
  });
});

describe("RFC 5321 §5.1: self cut", () => {
  const list = [
    { preference: 10, host: "a" },
    { preference: 20, host: "me" },
    { preference: 20, host: "b" },
    { preference: 30, host: "c" },
  ];

  test("RFC 5321 §5.1: 'all records at that preference level and higher-numbered ones MUST be discarded'", () => {
    expect(cutAtSelf(list, (c) => c.host === "me")).toEqual({
      kept: [{ preference: 10, host: "a" }],
      dropped: [
        { preference: 20, host: "me", reason: "self" },
        { preference: 20, host: "b", reason: "not-better-than-self" },
        { preference: 30, host: "c", reason: "not-better-than-self" },
      ],
      selfFound: true,
    });
  });

  test("no self: everything kept", () => {
    expect(cutAtSelf(list, () => false)).toEqual({ kept: list, dropped: [], selfFound: false });
  });
});
