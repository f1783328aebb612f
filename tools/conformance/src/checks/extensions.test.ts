import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

/** Run one check against a port and return its result. */
async function check(port: number, id: string, extra = {}) {
  return result(await probe(port, [id], extra), id);
}

describe("extensions.size (RFC 1870 §4, §6)", () => {
  const ID = "extensions.size";

  it("passes against smtp-server-core: SIZE=100 accepted, limit+1 refused with 552 5.3.4", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/552 5\.3\.4/);
    expect(messages).toHaveLength(0);
  });

  it("passes with no fixed limit (SIZE 0) when SIZE=1000 is accepted", async () => {
    const { port } = await coreServer({ limits: { maxMessageSize: 0 } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/no fixed limit/);
  });

  it("fails when a size over the limit is accepted at MAIL", async () => {
    const { port, messages } = await toyServer({
      override: (line, state) => {
        if (!/^MAIL FROM:.* SIZE=\d+$/i.test(line)) return undefined;
        state.mail = true;
        return "250 2.1.0 ok";
      },
    });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/not enforced/);
    expect(messages).toHaveLength(0);
  });

  it("warns when the oversize declaration gets a temporary 452 instead of 552", async () => {
    const { port } = await toyServer({ override: (line) => (/ SIZE=1000001$/i.test(line) ? "452 4.3.1 insufficient system storage" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("warn");
  });

  it("fails when a small declared size is refused", async () => {
    const { port } = await toyServer({ override: (line) => (/ SIZE=100$/i.test(line) ? "552 5.3.4 too big" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/SIZE=100/);
  });

  it("is n/a when SIZE is switched off", async () => {
    const { port } = await coreServer({ extensions: { size: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });
});

describe("extensions.pipelining (RFC 2920 §3.1, §3.2)", () => {
  const ID = "extensions.pipelining";

  it("passes against smtp-server-core", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/503, 250, 500, 250, 250/);
    expect(messages).toHaveLength(0);
  });

  it("passes against the toy server's defaults", async () => {
    const { port } = await toyServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
  });

  it("fails when replies come out of order", async () => {
    let held = false;
    const { port } = await toyServer({
      override: (line, state) => {
        // Holds the reply to RCPT-before-MAIL and sends it after MAIL's.
        if (/^RCPT /i.test(line) && !state.mail) {
          held = true;
          return null;
        }
        if (/^MAIL /i.test(line) && held) {
          held = false;
          state.mail = true;
          return ["250 2.1.0 ok", "503 5.5.1 MAIL first"];
        }
        return undefined;
      },
    });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/out of order/);
  });

  it("fails when a command gets no reply", async () => {
    const { port } = await toyServer({ override: (line) => (/^XYZZY$/i.test(line) ? null : undefined) });
    const r = await check(port, ID, { replyTimeout: 1_000 });
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/got 4 replies/);
  });

  it("fails when the server answers a line before its CRLF", async () => {
    const { port } = await toyServer({ replyOnPartial: true });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/before its CRLF/);
  });

  it("is n/a when PIPELINING is switched off", async () => {
    const { port } = await coreServer({ extensions: { pipelining: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });
});

describe("extensions.8bitmime (RFC 6152 §2-3)", () => {
  const ID = "extensions.8bitmime";

  it("passes against smtp-server-core", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(0);
  });

  it("fails when BODY=8BITMIME is refused although offered", async () => {
    const { port } = await toyServer({ override: (line) => (/BODY=8BITMIME/i.test(line) ? "555 5.5.4 unknown parameter" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
  });

  it("is n/a when 8BITMIME is switched off", async () => {
    const { port } = await coreServer({ extensions: { eightBitMime: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });
});

describe("extensions.smtputf8 (RFC 6531 §3.2-3.4)", () => {
  const ID = "extensions.smtputf8";

  it("passes against smtp-server-core: a UTF-8 reverse-path with SMTPUTF8 is accepted", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.transcript.some((l) => l.dir === "C" && l.text.includes("ü-probe@client.test"))).toBe(true);
    expect(messages).toHaveLength(0);
  });

  it("passes when SMTPUTF8 is off and a UTF-8 address without it is refused", async () => {
    const { port } = await coreServer({ extensions: { smtputf8: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/not offered/);
  });

  it("fails when SMTPUTF8 is offered and the UTF-8 address is refused", async () => {
    const { port } = await toyServer({ override: (line) => (/SMTPUTF8$/i.test(line) ? "553 5.6.7 no" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
  });

  it("warns when a UTF-8 address is accepted without SMTPUTF8 being offered", async () => {
    const { port } = await toyServer({ capabilities: ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"] });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/without SMTPUTF8/);
  });
});

describe("extensions.enhanced-codes (RFC 2034 §4)", () => {
  const ID = "extensions.enhanced-codes";

  it("passes against smtp-server-core", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(0);
  });

  it("fails when the enhanced class disagrees with the reply code (250 5.0.0)", async () => {
    const { port } = await toyServer({ override: (line) => (/^NOOP$/i.test(line) ? "250 5.0.0 ok" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/does not agree/);
  });

  it("fails when a reply has no enhanced code", async () => {
    const { port } = await toyServer({ override: (line) => (/^XYZZY$/i.test(line) ? "500 unknown command" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/without an enhanced code/);
  });

  it("fails when one line of a multi-line reply lacks the code", async () => {
    const { port } = await toyServer({ override: (line) => (/^RSET$/i.test(line) ? ["250-2.0.0 flushed", "250 ok"] : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
  });

  it("is n/a when ENHANCEDSTATUSCODES is switched off", async () => {
    const { port } = await coreServer({ extensions: { enhancedStatusCodes: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });
});
