import { describe, expect, test } from "vitest";
import { StsPolicyCache } from "./sts-cache.js";
import type { StsPolicy } from "./sts-policy.js";

const policy = (maxAge: number): StsPolicy => ({ version: "STSv1", mode: "enforce", maxAge, mx: ["mx.example.test"], extensions: [] });

describe("StsPolicyCache (RFC 8461 §5.1)", () => {
  test("RFC 8461 §3.2 max_age: a policy is kept until max_age seconds after its fetch", () => {
    const c = new StsPolicyCache();
    const entry = c.set("example.test", "one", policy(60), 1000);
    expect(entry).toEqual({ domain: "example.test", id: "one", policy: policy(60), fetchedAt: 1000, expiresAt: 61_000 });
    expect(c.get("example.test", 60_999)?.id).toBe("one");
    expect(c.get("example.test", 61_000)).toBeUndefined();
  });

  test("a new policy replaces the old; max_age 0 removes it and is not kept", () => {
    const c = new StsPolicyCache();
    c.set("example.test", "one", policy(60), 0);
    c.set("example.test", "two", policy(60), 0);
    expect(c.get("example.test", 1)?.id).toBe("two");
    c.set("example.test", "three", policy(0), 0);
    expect(c.get("example.test", 0)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  test("RFC 8461 §3.3: a failed id is in back-off for failureBackoff; another id is not; a success clears it", () => {
    const c = new StsPolicyCache({ failureBackoff: 1000 });
    c.noteFailure("example.test", "one", 0);
    expect(c.inBackoff("example.test", "one", 999)).toBe(true);
    expect(c.inBackoff("example.test", "two", 999)).toBe(false);
    expect(c.inBackoff("example.test", "one", 1000)).toBe(false);
    c.noteFailure("example.test", "one", 0);
    c.set("example.test", "one", policy(60), 10);
    expect(c.inBackoff("example.test", "one", 20)).toBe(false);
  });

  test("the least recently used domain is evicted first; delete and clear", () => {
    const c = new StsPolicyCache({ maxEntries: 2 });
    c.set("a.test", "1", policy(60), 0);
    c.set("b.test", "1", policy(60), 0);
    c.get("a.test", 1);
    c.set("c.test", "1", policy(60), 0);
    expect(c.get("b.test", 1)).toBeUndefined();
    expect(c.get("a.test", 1)).toBeDefined();
    c.delete("a.test");
    expect(c.get("a.test", 1)).toBeUndefined();
    c.clear();
    expect(c.size).toBe(0);
  });

  test("bad options are RangeErrors", () => {
    expect(() => new StsPolicyCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new StsPolicyCache({ failureBackoff: -1 })).toThrow(RangeError);
  });
});
