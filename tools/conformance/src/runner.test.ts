import { describe, expect, it } from "vitest";
import { ProbeError } from "./errors.js";
import { runProbe } from "./runner.js";
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
