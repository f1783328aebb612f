import { describe, expect, it } from "vitest";
import { ProbeError } from "./errors.js";
import { listChecks, resolveOptions, runProbe, selectChecks } from "./runner.js";
import { coreServer } from "./test-support/harness.js";
import { toyServer } from "./test-support/toy-server.js";

describe("runProbe discovery", () => {
  it("reads the greeting and EHLO, upgrades with STARTTLS and sees postmaster accepted (smtp-server-core)", async () => {
    const { port, messages } = await coreServer();
    const report = await runProbe({ host: "127.0.0.1", port, helo: "client.test", only: ["greeting.client-session"] });
    expect(report.greeting).toMatch(/^220 /);
    expect(report.capabilities).toContain("PIPELINING");
    expect(report.session.secure).toBe(true);
    expect(report.session.tls?.protocol).toBe("TLSv1.3");
    expect(report.budget.connections).toBeGreaterThanOrEqual(1);
    expect(messages).toHaveLength(0);
  });

  it("works against the toy server too", async () => {
    const { port } = await toyServer();
    const report = await runProbe({ host: "127.0.0.1", port, helo: "client.test", only: ["greeting.client-session"] });
    expect(report.session.secure).toBe(true);
  });

  it("rejects when nothing listens", async () => {
    const { port } = await toyServer();
    await expect(runProbe({ host: "127.0.0.1", port: port === 65535 ? 1 : 1, replyTimeout: 1000 })).rejects.toSatisfy(
      (e) => ProbeError.isInstance(e) && e.code === "connect-failed",
    );
  });
});

describe("runProbe robustness", () => {
  it("a malformed EHLO reply does not stop the probe: greeting.ehlo reports it", async () => {
    const { port } = await toyServer({ override: (line) => (/^EHLO /i.test(line) ? ["250-toy.test", "251 broken"] : undefined) });
    const report = await runProbe({ host: "127.0.0.1", port, helo: "client.test", only: ["greeting.ehlo", "commands.noop"], replyTimeout: 2000 });
    expect(report.results.find((r) => r.id === "greeting.ehlo")?.status).toBe("fail");
    expect(report.results.find((r) => r.id === "commands.noop")?.status).toBe("pass");
  });

  it("a failed STARTTLS handshake is recorded, and the checks go on in clear", async () => {
    // Says 220 to STARTTLS and then never starts TLS: the handshake times out.
    const { port } = await toyServer({ override: (line) => (/^STARTTLS$/i.test(line) ? "220 2.0.0 go ahead (but no TLS)" : undefined) });
    const report = await runProbe({
      host: "127.0.0.1",
      port,
      helo: "client.test",
      only: ["commands.noop", "security.starttls-offered"],
      replyTimeout: 1000,
    });
    expect(report.session.secure).toBe(false);
    expect(report.results.find((r) => r.id === "commands.noop")?.status).toBe("pass");
    expect(report.results.find((r) => r.id === "security.starttls-offered")?.status).toBe("fail");
  });

  it("a check that outlives its time limit fails with that reason, and the next check still runs", async () => {
    const { port } = await toyServer({ override: (line, state) => (/^NOOP/i.test(line) && state.helo ? null : undefined) });
    const report = await runProbe({
      host: "127.0.0.1",
      port,
      helo: "client.test",
      only: ["commands.noop", "commands.unknown"],
      checkTimeout: 800,
      replyTimeout: 5000,
    });
    const noop = report.results.find((r) => r.id === "commands.noop");
    expect(noop?.status).toBe("fail");
    expect(noop?.summary).toMatch(/within 800 ms/);
    // Results come in catalogue order, whatever the order of --only.
    expect(report.results.map((r) => r.id)).toEqual(["commands.unknown", "commands.noop"]);
  });

  it("keeps to its connection budget", async () => {
    const { port } = await coreServer();
    const report = await runProbe({ host: "127.0.0.1", port, helo: "client.test", only: ["commands"], maxConnections: 4 });
    expect(report.budget.connections).toBeLessThanOrEqual(4);
    expect(report.results.some((r) => /at most 4 connections/.test(r.summary))).toBe(true);
  });

  it("keeps to its byte budget", async () => {
    const { port } = await coreServer();
    const report = await runProbe({ host: "127.0.0.1", port, helo: "client.test", only: ["commands.line-length"], maxBytes: 1000 });
    expect(report.budget.bytesSent).toBeLessThanOrEqual(1000);
    expect(report.results[0]?.summary).toMatch(/at most 1000 octets/);
  });

  it("--only takes ids and prefixes, and refuses names that match nothing", async () => {
    expect(selectChecks(["security.smuggling"]).every((c) => c.id.startsWith("security.smuggling."))).toBe(true);
    expect(selectChecks(["commands.noop"]).map((c) => c.id)).toEqual(["commands.noop"]);
    expect(selectChecks(["extensions"]).length).toBeGreaterThan(3);
    expect(() => selectChecks(["security.smug"])).toThrow(/no check is called/);
    expect(() => resolveOptions({ host: "127.0.0.1", port: 0 })).toThrow(/port/);
  });

  it("every check has a unique id in its area, a title and an RFC reference", () => {
    const ids = listChecks().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of listChecks()) {
      expect(c.id.startsWith(`${c.area}.`), c.id).toBe(true);
      expect(c.title.length, c.id).toBeGreaterThanOrEqual(4);
      expect(c.rfc, c.id).toMatch(/RFC \d+|CVE-/);
    }
  });
});
