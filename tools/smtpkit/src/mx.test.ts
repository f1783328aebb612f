/**
 * `smtpkit mx` run in-process through `main()` against a DNS server on 127.0.0.1, so it exercises
 * the real resolver, the built @smtpkit/smtp-dns-mx and the output formats. Nothing leaves the
 * machine: the MTA-STS policy host of sts.test resolves to a private address, which the fetcher
 * refuses before connecting.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type MiniDnsServer, startMiniDns } from "./test-support/dns-server.js";
import { smtpkit } from "./test-support/run-main.js";

let dns: MiniDnsServer;

beforeAll(async () => {
  dns = await startMiniDns({
    "plan.test": { MX: [[20, "backup.plan.test"], [10, "mx1.plan.test"]] },
    "mx1.plan.test": { A: ["192.0.2.1"], AAAA: ["2001:db8::1"] },
    "backup.plan.test": { A: ["192.0.2.2"] },
    "nullmx.test": { MX: [[0, "."]] },
    "servfail.test": { rcode: "SERVFAIL" },
    "sts.test": { MX: [[10, "mx1.plan.test"]] },
    "_mta-sts.sts.test": { TXT: [["v=STSv1; id=1"]] },
    "mta-sts.sts.test": { A: ["10.9.9.9"] },
    "private.test": { MX: [[10, "lan.private.test"]] },
    "lan.private.test": { A: ["10.0.0.1"] },
  });
});
afterAll(async () => {
  await dns.close();
});

const mx = (domain: string, ...more: string[]) => smtpkit("mx", domain, "--dns", dns.address, "--allow", "192.0.2.0/24", "--allow", "2001:db8::/32", ...more);

describe("smtpkit mx --json", () => {
  test("a plan: exit 0, exactly {domain, hosts: [{preference, host, addresses}], mtaSts}", async () => {
    const r = await mx("plan.test", "--json");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.endsWith("\n")).toBe(true);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({
      domain: "plan.test",
      hosts: [
        { preference: 10, host: "mx1.plan.test", addresses: ["2001:db8::1", "192.0.2.1"] },
        { preference: 20, host: "backup.plan.test", addresses: ["192.0.2.2"] },
      ],
      mtaSts: { status: "none", reason: "no-record" },
    });
  });

  test("--no-mta-sts leaves mtaSts out and asks for no TXT record", async () => {
    dns.queries.length = 0;
    const r = await mx("plan.test", "--json", "--no-mta-sts");
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(["domain", "hosts"]);
    expect(dns.queries.some((q) => q.startsWith("TXT"))).toBe(false);
  });

  test("RFC 7505: null MX -> exit 2 with the typed error and the 556 5.1.10 reply", async () => {
    const r = await mx("nullmx.test", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      domain: "nullmx.test",
      hosts: [],
      error: { code: "null-mx", temporary: false, reply: "556 5.1.10 Recipient address has null MX" },
    });
  });

  test("NXDOMAIN -> exit 2", async () => {
    const r = await mx("nowhere.test", "--json");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toEqual({ code: "domain-not-found", temporary: false, reply: "550 5.1.2 Recipient domain does not exist" });
  });

  test("SERVFAIL -> exit 3, temporary", async () => {
    const r = await mx("servfail.test", "--json");
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: "dns-failure", temporary: true, reply: expect.stringMatching(/^451 4\.4\.3 /) });
  });

  test("only private addresses -> exit 2; --allow lets them through -> exit 0", async () => {
    expect((await mx("private.test", "--json")).code).toBe(2);
    const r = await mx("private.test", "--json", "--allow", "10.0.0.0/8");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hosts).toEqual([{ preference: 10, host: "lan.private.test", addresses: ["10.0.0.1"] }]);
  });

  test("RFC 8461: a policy host with only a private address is never fetched; the plan says why", async () => {
    const r = await mx("sts.test", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).mtaSts).toMatchObject({ status: "none", reason: "fetch-failed", detail: expect.stringContaining("refused") });
  });

  test("address literals need no DNS", async () => {
    dns.queries.length = 0;
    const r = await mx("[192.0.2.9]", "--json", "--no-mta-sts");
    expect(JSON.parse(r.stdout)).toEqual({ domain: "[192.0.2.9]", hosts: [{ preference: 0, host: "[192.0.2.9]", addresses: ["192.0.2.9"] }] });
    expect(dns.queries).toEqual([]);
  });
});

describe("smtpkit mx, human output", () => {
  test("the plan: hosts in order with preference and addresses, the MTA-STS mode", async () => {
    const r = await mx("plan.test");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "plan.test: 2 hosts",
        "MTA-STS: no policy (no-record)",
        "     10  mx1.plan.test     2001:db8::1, 192.0.2.1",
        "     20  backup.plan.test  192.0.2.2",
        "",
      ].join("\n"),
    );
  });

  test("a failure: the code, why, and the reply", async () => {
    const r = await mx("nullmx.test");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("nullmx.test: permanent failure (null-mx)");
    expect(r.stdout).toContain("reply: 556 5.1.10 Recipient address has null MX");
  });

  test("--family ipv4 lists only IPv4 addresses", async () => {
    const r = await mx("plan.test", "--family", "ipv4", "--no-mta-sts");
    expect(r.stdout).toContain("mx1.plan.test     192.0.2.1\n");
  });
});

describe("smtpkit mx arguments", () => {
  test.each([
    [["mx"], "a domain is required"],
    [["mx", "a.test", "b.test"], "exactly one domain"],
    [["mx", "a.test", "--bogus"], "Unknown option"],
    [["mx", "a.test", "--timeout", "soon"], "--timeout"],
    [["mx", "a.test", "--family", "ipv5"], "--family"],
    [["mx", "a.test", "--allow", "10.0.0.0/99"], "allowAddresses"],
    [["mx", "a.test", "--dns", "dns.example.test"], "--dns"],
  ])("%j -> exit 64 with a message", async (argv, message) => {
    const r = await smtpkit(...argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
  });

  test("mx --help", async () => {
    const r = await smtpkit("mx", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: smtpkit mx <domain> [--dns HOST:PORT] [--json]");
  });
});
