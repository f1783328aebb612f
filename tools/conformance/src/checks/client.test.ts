import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

const ID = "greeting.client-session";

describe("greeting.client-session (RFC 5321 §3.1-3.3, RFC 3207)", () => {
  it("passes against smtp-server-core: STARTTLS, RSET and QUIT through smtp-client", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [ID]), ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/with TLS/);
    expect(messages).toHaveLength(0);
  });

  it("passes in clear with --tls none", async () => {
    const { port } = await coreServer();
    const r = result(await probe(port, [ID], { tls: "none" }), ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/in clear/);
  });

  it("fails when the server offers STARTTLS and then refuses it (a correct client must not fall back)", async () => {
    const { port } = await toyServer({ override: (line) => (/^STARTTLS$/i.test(line) ? "454 4.7.0 TLS not available" : undefined) });
    const r = result(await probe(port, [ID]), ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/tls/i);
  });

  it("fails when RSET is refused", async () => {
    const { port } = await toyServer({ override: (line) => (/^RSET$/i.test(line) ? "500 5.5.2 what?" : undefined) });
    const r = result(await probe(port, [ID]), ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/RSET/);
  });

  it("counts its connection against the probe's budget", async () => {
    const { port } = await coreServer();
    const report = await probe(port, [ID], { maxConnections: 1 });
    const r = result(report, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/at most 1 connections|budget/);
  });
});
