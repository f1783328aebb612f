import { describe, expect, test } from "vitest";
import { discoverStsPolicy, type StsDiscoveryContext, stsVerdict } from "./mta-sts.js";
import type { DnsOutcome } from "./resolver.js";
import { StsPolicyCache } from "./sts-cache.js";
import type { StsFetchRequest, StsFetchResponse } from "./sts-fetch.js";

const DAY = 86_400;
const policyText = (mode: string, maxAge = DAY, mx = ["mx1.example.test", "*.mx.example.test"]) =>
  `version: STSv1\nmode: ${mode}\n${mx.map((m) => `mx: ${m}\n`).join("")}max_age: ${maxAge}\n`;

interface Harness {
  ctx: StsDiscoveryContext;
  fetches: StsFetchRequest[];
  setTxt(records: string[][] | "nxdomain" | "servfail"): void;
  setResponse(r: StsFetchResponse | Error): void;
  advance(ms: number): void;
}

function harness(): Harness {
  let now = 1_700_000_000_000;
  let txt: DnsOutcome<readonly (readonly string[])[]> = { kind: "nxdomain" };
  let response: StsFetchResponse | Error = { status: 200, contentType: "text/plain", body: policyText("enforce") };
  const fetches: StsFetchRequest[] = [];
  return {
    fetches,
    ctx: {
      txt: async () => txt,
      fetch: async (r) => {
        fetches.push(r);
        if (response instanceof Error) throw response;
        return response;
      },
      cache: new StsPolicyCache(),
      clock: () => now,
    },
    setTxt(records) {
      txt =
        records === "nxdomain"
          ? { kind: "nxdomain" }
          : records === "servfail"
            ? { kind: "failure", code: "ESERVFAIL", error: null }
            : { kind: "answer", records };
    },
    setResponse(r) {
      response = r;
    },
    advance(ms) {
      now += ms;
    },
  };
}

describe("RFC 8461 §3, §5.1: policy discovery, fetch and cache", () => {
  test("RFC 8461 §3.1: no TXT record and nothing cached -> no policy, no fetch", async () => {
    const h = harness();
    expect(await discoverStsPolicy("example.test", h.ctx)).toEqual({ status: "none", reason: "no-record" });
    expect(h.fetches).toEqual([]);
  });

  test("RFC 8461 §3.3: a record -> the policy is fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    const s = await discoverStsPolicy("example.test", h.ctx);
    expect(s).toMatchObject({ status: "policy", id: "one", source: "fetched", policy: { mode: "enforce", maxAge: DAY } });
    expect(h.fetches).toEqual([
      { domain: "example.test", host: "mta-sts.example.test", url: "https://mta-sts.example.test/.well-known/mta-sts.txt" },
    ]);
  });

  test("RFC 8461 §5.1: the same id within max_age -> the cached policy, no fetch; after max_age -> fetched again", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    await discoverStsPolicy("example.test", h.ctx);
    h.advance(DAY * 1000 - 1);
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "policy", source: "cache" });
    expect(h.fetches).toHaveLength(1);
    h.advance(1);
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "policy", source: "fetched" });
    expect(h.fetches).toHaveLength(2);
  });

  test("RFC 8461 §5.1: a new id -> refreshed, and the new policy replaces the old", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    await discoverStsPolicy("example.test", h.ctx);
    h.setTxt([["v=STSv1; id=two"]]);
    h.setResponse({ status: 200, contentType: "text/plain", body: policyText("testing") });
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "policy", id: "two", source: "fetched", policy: { mode: "testing" } });
    expect(h.ctx.cache.get("example.test", h.ctx.clock())?.id).toBe("two");
  });

  test("RFC 8461 §3.1: the TXT record disappears -> the unexpired cached policy stays in force", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    await discoverStsPolicy("example.test", h.ctx);
    h.setTxt("nxdomain");
    const s = await discoverStsPolicy("example.test", h.ctx);
    expect(s).toMatchObject({ status: "policy", id: "one", source: "cache" });
    expect(s.status === "policy" && s.note).toContain("no-record");
    h.setTxt("servfail");
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "policy", source: "cache" });
  });

  test("RFC 8461 §5.1: a refresh that fails keeps the cached policy", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    await discoverStsPolicy("example.test", h.ctx);
    h.setTxt([["v=STSv1; id=two"]]);
    h.setResponse(new Error("ECONNRESET"));
    const s = await discoverStsPolicy("example.test", h.ctx);
    expect(s).toMatchObject({ status: "policy", id: "one", source: "cache" });
    expect(s.status === "policy" && s.note).toContain("ECONNRESET");
  });

  test("RFC 8461 §3.3: after a failed fetch the same id is not fetched again until the back-off passes", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    h.setResponse(new Error("ETIMEDOUT"));
    expect(await discoverStsPolicy("example.test", h.ctx)).toEqual({ status: "none", reason: "fetch-failed", detail: "ETIMEDOUT" });
    h.setResponse({ status: 200, contentType: "text/plain", body: policyText("enforce") });
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "none", reason: "fetch-failed" });
    expect(h.fetches).toHaveLength(1);
    h.advance(300_000);
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "policy", source: "fetched" });
    expect(h.fetches).toHaveLength(2);
  });

  test.each([
    [{ status: 301, contentType: "text/plain", body: "" }, "fetch-failed", "redirects are not followed"],
    [{ status: 404, contentType: "text/plain", body: "" }, "fetch-failed", "HTTP status 404"],
    [{ status: 200, contentType: "text/html", body: policyText("enforce") }, "fetch-failed", "not text/plain"],
    [{ status: 200, body: policyText("enforce") }, "fetch-failed", "not text/plain"],
    [{ status: 200, contentType: "text/plain", body: "x".repeat(65_537) }, "fetch-failed", "larger than 65536"],
    [{ status: 200, contentType: "text/plain", body: "version: STSv1\nmode: enforce\n" }, "invalid-policy", "max_age"],
  ])("RFC 8461 §3.2–3.3: %j -> no policy (%s)", async (response, reason, detail) => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    h.setResponse(response);
    const s = await discoverStsPolicy("example.test", h.ctx);
    expect(s).toMatchObject({ status: "none", reason });
    expect(s.status === "none" && s.detail).toContain(detail);
  });

  test("RFC 8461 §3.1: several records, an invalid record, a DNS failure -> no policy with that reason", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=a"], ["v=STSv1; id=b"]]);
    expect(await discoverStsPolicy("example.test", h.ctx)).toEqual({ status: "none", reason: "multiple-records" });
    h.setTxt([["v=STSv1; id=not valid"]]);
    expect(await discoverStsPolicy("example.test", h.ctx)).toEqual({ status: "none", reason: "invalid-record" });
    h.setTxt("servfail");
    expect(await discoverStsPolicy("example.test", h.ctx)).toEqual({ status: "none", reason: "dns-failure", detail: "ESERVFAIL" });
    expect(h.fetches).toEqual([]);
  });

  test("max_age 0: used now, never cached", async () => {
    const h = harness();
    h.setTxt([["v=STSv1; id=one"]]);
    h.setResponse({ status: 200, contentType: "text/plain", body: policyText("enforce", 0) });
    expect(await discoverStsPolicy("example.test", h.ctx)).toMatchObject({ status: "policy", source: "fetched" });
    expect(h.ctx.cache.size).toBe(0);
  });
});

describe("RFC 8461 §4.1, §5: the verdict per MX host", () => {
  const state = (mode: "enforce" | "testing" | "none") =>
    ({
      status: "policy",
      id: "one",
      source: "fetched",
      policy: { version: "STSv1", mode, maxAge: DAY, mx: mode === "none" ? [] : ["mx1.example.test", "*.mx.example.test"], extensions: [] },
    }) as const;
  const hosts = ["mx1.example.test", "a.mx.example.test", "other.example.net", "a.b.mx.example.test"];

  test("RFC 8461 §5: enforce -> only matching hosts, TLS required", () => {
    const v = stsVerdict(state("enforce"), hosts);
    expect(v.status === "policy" && v.hosts).toEqual([
      { host: "mx1.example.test", matches: true, action: "deliver", requireTls: true },
      { host: "a.mx.example.test", matches: true, action: "deliver", requireTls: true },
      { host: "other.example.net", matches: false, action: "skip", requireTls: true },
      { host: "a.b.mx.example.test", matches: false, action: "skip", requireTls: true },
    ]);
  });

  test("RFC 8461 §5: testing -> deliver to every host, mismatches only reported", () => {
    const v = stsVerdict(state("testing"), hosts);
    expect(v.status === "policy" && v.hosts.map((h) => [h.matches, h.action, h.requireTls])).toEqual([
      [true, "deliver", false],
      [true, "deliver", false],
      [false, "deliver", false],
      [false, "deliver", false],
    ]);
  });

  test("RFC 8461 §5: none -> no constraint", () => {
    const v = stsVerdict(state("none"), hosts);
    expect(v.status === "policy" && v.hosts.every((h) => h.action === "deliver" && !h.requireTls)).toBe(true);
  });

  test("no policy -> the verdict is the reason", () => {
    expect(stsVerdict({ status: "none", reason: "no-record" }, hosts)).toEqual({ status: "none", reason: "no-record" });
  });
});
