import { describe, expect, test } from "vitest";
import { DnsCache } from "./dns-cache.js";
import type { DnsOutcome } from "./resolver.js";

const answer = (ttl?: number): DnsOutcome<readonly { address: string; ttl: number }[]> =>
  ttl === undefined ? { kind: "answer", records: [] } : { kind: "answer", records: [{ address: "192.0.2.1", ttl }], ttl };

describe("DnsCache", () => {
  test("an answer lives for its TTL", () => {
    const c = new DnsCache();
    c.set("A", "h", answer(30), 1000);
    expect(c.get("A", "h", 30_999)).toEqual(answer(30));
    expect(c.get("A", "h", 31_000)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  test("answers without a TTL use defaultTtl; every TTL is capped by maxTtl; TTL 0 is not kept", () => {
    const c = new DnsCache({ defaultTtl: 5, maxTtl: 60 });
    c.set("MX", "d", { kind: "answer", records: [] }, 0);
    expect(c.get("MX", "d", 4999)).toBeDefined();
    expect(c.get("MX", "d", 5000)).toBeUndefined();
    c.set("A", "h", answer(3600), 0);
    expect(c.get("A", "h", 59_999)).toBeDefined();
    expect(c.get("A", "h", 60_000)).toBeUndefined();
    c.set("A", "z", answer(0), 0);
    expect(c.get("A", "z", 0)).toBeUndefined();
  });

  test("RFC 2308 §5: NXDOMAIN and NODATA live for negativeTtl", () => {
    const c = new DnsCache({ negativeTtl: 10 });
    c.set("MX", "gone", { kind: "nxdomain" }, 0);
    c.set("AAAA", "v4only", { kind: "nodata" }, 0);
    expect(c.get("MX", "gone", 9_999)).toEqual({ kind: "nxdomain" });
    expect(c.get("AAAA", "v4only", 9_999)).toEqual({ kind: "nodata" });
    expect(c.get("MX", "gone", 10_000)).toBeUndefined();
  });

  test("RFC 2308 §7.1: failures are not cached by default, and never longer than five minutes", () => {
    const failure: DnsOutcome<never> = { kind: "failure", code: "ESERVFAIL", error: null };
    expect(new DnsCache().ttlOf(failure)).toBe(0);
    expect(new DnsCache({ failureTtl: 3600 }).ttlOf(failure)).toBe(300);
  });

  test("the least recently used entry is evicted first", () => {
    const c = new DnsCache({ maxEntries: 2 });
    c.set("A", "a", answer(60), 0);
    c.set("A", "b", answer(60), 0);
    c.get("A", "a", 1);
    c.set("A", "c", answer(60), 0);
    expect(c.get("A", "b", 1)).toBeUndefined();
    expect(c.get("A", "a", 1)).toBeDefined();
    expect(c.get("A", "c", 1)).toBeDefined();
  });

  test("concurrent lookups of one query share one question; a rejecting ask becomes a failure", async () => {
    const c = new DnsCache();
    let asked = 0;
    let release: (v: DnsOutcome<never>) => void = () => {};
    const ask = () => {
      asked++;
      return new Promise<DnsOutcome<never>>((resolve) => {
        release = resolve;
      });
    };
    const a = c.lookup("MX", "d", () => 0, ask);
    const b = c.lookup("MX", "d", () => 0, ask);
    release({ kind: "nodata" });
    expect(await a).toEqual({ kind: "nodata" });
    expect(await b).toEqual({ kind: "nodata" });
    expect(asked).toBe(1);
    const boom = new Error("boom");
    expect(await c.lookup("MX", "e", () => 0, () => Promise.reject(boom))).toEqual({ kind: "failure", code: "EUNKNOWN", error: boom });
  });

  test("bad options are RangeErrors; clear empties it", () => {
    expect(() => new DnsCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new DnsCache({ negativeTtl: -1 })).toThrow(RangeError);
    const c = new DnsCache();
    c.set("A", "a", answer(60), 0);
    c.clear();
    expect(c.size).toBe(0);
  });
});
