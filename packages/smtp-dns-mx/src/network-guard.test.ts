import { describe, expect, test } from "vitest";
import { createResolver } from "./resolver.js";

describe("test network hygiene (src/test-support/network-guard.ts)", () => {
  test("a resolver on the system's servers is stopped before it sends anything", async () => {
    await expect(createResolver().resolveMx("example.com")).rejects.toThrow(/network guard/);
    await expect(createResolver({ servers: ["192.0.2.53"] }).resolve4("example.com", { ttl: true })).rejects.toThrow(/network guard/);
  });

  test("a resolver on 127.0.0.1 goes through (nothing listens on port 9: refused or timed out)", async () => {
    const resolver = createResolver({ servers: ["127.0.0.1:9"], timeout: 100, tries: 1 });
    await expect(resolver.resolveMx("example.com")).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNREFUSED|ETIMEOUT)$/) });
  });
});
