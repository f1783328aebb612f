/**
 * The default policy fetcher against a real HTTPS server on 127.0.0.1 using the fixture certificate
 * (test/fixtures/mta-sts.example.test.crt). The policy host is resolved through a resolver double,
 * so nothing leaves the machine.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { resolvePlan } from "./resolve-plan.js";
import type { AddressRecord, DnsResolver } from "./resolver.js";
import { StsPolicyCache } from "./sts-cache.js";
import { checkStsResponse, createHttpsPolicyFetcher, type HttpsPolicyFetcherOptions, stsPolicyRequest } from "./sts-fetch.js";
import { dnsError, fakeResolver } from "./test-support/fake-resolver.js";
import { fixtureZones } from "./test-support/zones.js";

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/${name}`, import.meta.url), "utf8");
const cert = fixture("mta-sts.example.test.crt");
const key = fixture("mta-sts.example.test.key");
const POLICY = "version: STSv1\nmode: enforce\nmx: mx1.sts.example.test\nmax_age: 604800\n";

type Handler = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void;
let handler: Handler;
let server: Server;
let port: number;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer({ cert, key }, (req, res) => {
    requests.push(`${req.method} ${req.headers.host} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(POLICY);
  };
});

/** Every name resolves to `address` over IPv4 and has no AAAA. */
function pinned(address: string): Pick<DnsResolver, "resolve4" | "resolve6"> {
  return {
    resolve4: async (): Promise<AddressRecord[]> => [{ address, ttl: 60 }],
    resolve6: async (name: string): Promise<AddressRecord[]> => Promise.reject(dnsError("ENODATA", "queryAaaa", name)),
  };
}

const fetcher = (extra: HttpsPolicyFetcherOptions = {}) =>
  createHttpsPolicyFetcher({ resolver: pinned("127.0.0.1"), allowAddresses: ["127.0.0.1"], ca: cert, port, timeout: 5000, ...extra });

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a rejection");
}

describe("RFC 8461 §3.3: fetching the policy over HTTPS", () => {
  test("RFC 8461 §3.3: a valid certificate for mta-sts.<domain> -> the policy", async () => {
    const response = await fetcher()(stsPolicyRequest("example.test"));
    expect(response).toEqual({ status: 200, contentType: "text/plain; charset=utf-8", body: POLICY });
    expect(requests).toEqual([`GET mta-sts.example.test:${port} /.well-known/mta-sts.txt`]);
    expect(checkStsResponse(response)).toMatchObject({ ok: true, policy: { mode: "enforce", mx: ["mx1.sts.example.test"] } });
  });

  test("RFC 8461 §3.3: 'HTTP 3xx redirects MUST NOT be followed'", async () => {
    handler = (req, res) => {
      if (req.url === "/.well-known/mta-sts.txt") {
        res.writeHead(301, { location: "/elsewhere.txt", "content-type": "text/plain" });
        res.end();
      } else {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(POLICY);
      }
    };
    const response = await fetcher()(stsPolicyRequest("example.test"));
    expect(response.status).toBe(301);
    expect(requests).toHaveLength(1);
    expect(checkStsResponse(response)).toMatchObject({ ok: false, reason: "fetch-failed" });
  });

  test("RFC 8461 §3.3: a certificate that does not chain to a trusted root is refused", async () => {
    // No `ca`: only Node's bundled roots are trusted.
    const e = await rejection(createHttpsPolicyFetcher({ resolver: pinned("127.0.0.1"), allowAddresses: ["127.0.0.1"], port })(stsPolicyRequest("example.test")));
    expect(e.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(requests).toEqual([]);
  });

  test("RFC 8461 §3.3 / RFC 6125: a certificate for another name is refused", async () => {
    const e = await rejection(fetcher()(stsPolicyRequest("wrong.test")));
    expect(e.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(requests).toEqual([]);
  });

  test("a body above the size limit aborts the download", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      // Chunked, so the limit is enforced while reading, not from Content-Length.
      res.write("x".repeat(40_000));
      res.end("x".repeat(40_000));
    };
    const e = await rejection(fetcher()(stsPolicyRequest("example.test")));
    expect(e.message).toContain("larger than 65536");
  });

  test("a declared Content-Length above the limit is refused before reading", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
      res.end("x".repeat(100));
    };
    const e = await rejection(fetcher({ maxBytes: 50 })(stsPolicyRequest("example.test")));
    expect(e.message).toContain("Content-Length 100");
  });

  test("a server that never answers hits the fetch's time limit", async () => {
    handler = () => {
      // Hold the request; afterAll closes the connection.
    };
    const e = await rejection(fetcher({ timeout: 100 })(stsPolicyRequest("example.test")));
    expect(e.message).toContain("timed out after 100 ms");
  });

  test("a policy host with only refused addresses is never contacted", async () => {
    const e = await rejection(createHttpsPolicyFetcher({ resolver: pinned("10.0.0.7"), ca: cert, port })(stsPolicyRequest("example.test")));
    expect(e.code).toBe("EREFUSEDADDRESS");
    expect(requests).toEqual([]);
  });
});

describe("RFC 8461: resolvePlan with the HTTPS fetcher", () => {
  test("RFC 8461 §5: enforce from a policy fetched over HTTPS drops unlisted hosts and requires TLS", async () => {
    const cache = new StsPolicyCache();
    const plan = await resolvePlan("sts.example.test", {
      resolver: fakeResolver(fixtureZones()),
      allowAddresses: ["192.0.2.0/24"],
      mtaSts: { fetch: fetcher(), cache },
      clock: () => 0,
    });
    expect(plan.hosts).toEqual([
      { preference: 10, host: "mx1.sts.example.test", addresses: ["192.0.2.81"], tls: { enforce: true, validation: "pkix", source: "mta-sts" } },
    ]);
    expect(plan.dropped.map((d) => [d.host, d.reason])).toEqual([
      ["mx2.sts.example.test", "mta-sts-mismatch"],
      ["relay.other.example", "mta-sts-mismatch"],
    ]);
    expect(requests).toEqual([`GET mta-sts.sts.example.test:${port} /.well-known/mta-sts.txt`]);
  });
});
