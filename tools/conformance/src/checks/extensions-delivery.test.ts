import { SmtpReplyError } from "@smtpkit/smtp-server-core";
import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

/** Run one check against a port and return its result. */
async function check(port: number, id: string, extra = {}) {
  return result(await probe(port, [id], extra), id);
}

describe("extensions.dsn (RFC 3461 §4.1-4.4)", () => {
  const ID = "extensions.dsn";

  it("passes against smtp-server-core: RET, ENVID, NOTIFY and ORCPT accepted", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.transcript.some((l) => l.dir === "C" && l.text.includes("ORCPT=rfc822;postmaster@mx.test"))).toBe(true);
    expect(messages).toHaveLength(0);
  });

  it("sends ORCPT as xtext", async () => {
    const { port } = await coreServer();
    const r = await check(port, ID, { rcpt: "a+b@mx.test" });
    expect(r.status, explain(r)).toBe("pass");
    expect(r.transcript.some((l) => l.dir === "C" && l.text.includes("ORCPT=rfc822;a+2Bb@mx.test"))).toBe(true);
  });

  it("fails when the RCPT parameters are refused", async () => {
    const { port } = await toyServer({ override: (line) => (/^RCPT .*NOTIFY=/i.test(line) ? "555 5.5.4 unknown parameter" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/NOTIFY/);
  });

  it("fails when the MAIL parameters are refused", async () => {
    const { port } = await toyServer({ override: (line) => (/ RET=HDRS/i.test(line) ? "501 5.5.4 bad RET" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
  });

  it("is n/a when DSN is switched off", async () => {
    const { port } = await coreServer({ extensions: { dsn: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });
});

describe("extensions.chunking (RFC 3030 §2, §4)", () => {
  const ID = "extensions.chunking";

  it("passes against smtp-server-core and stores nothing", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/BDAT 0 LAST outside a transaction got "503/);
    expect(r.transcript.some((l) => l.dir === "C" && /BDAT \d+ LAST/.test(l.text))).toBe(true);
    expect(messages).toHaveLength(0);
  });

  it("passes against the toy server and stores nothing", async () => {
    const { port, messages } = await toyServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(0);
  });

  it("fails when the chunk is read as commands (the size is ignored)", async () => {
    const { port, messages } = await toyServer({ override: (line) => (/^BDAT 12$/i.test(line) ? "250 2.0.0 chunk received" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/3 replies.*read as commands/);
    expect(messages).toHaveLength(0);
  });

  it("fails when BDAT 0 LAST is accepted outside a transaction", async () => {
    const { port } = await toyServer({ override: (line) => (/^BDAT 0 LAST$/i.test(line) ? "250 2.0.0 fine" : undefined) });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
  });

  it("with --deliver completes one message to that address by BDAT", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID, { deliver: "probe-inbox@mx.test" });
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(1);
    expect(messages[0]?.toString()).toMatch(/two BDAT chunks/);
    expect(messages[0]?.toString()).not.toMatch(/NOOP/);
  });

  it("is n/a when CHUNKING is switched off", async () => {
    const { port } = await coreServer({ extensions: { chunking: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });

  it("is n/a when no recipient is accepted", async () => {
    const refuse = {
      onRcptTo() {
        throw new SmtpReplyError({ code: 550, enhanced: { cls: 5, subject: 1, detail: 1 }, lines: ["no such user"] });
      },
    };
    const { port, messages } = await coreServer({}, refuse);
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
    expect(r.summary).toMatch(/--rcpt/);
    expect(messages).toHaveLength(0);
  });
});

describe("extensions.requiretls (RFC 8689 §2, §4.1)", () => {
  const ID = "extensions.requiretls";

  it("passes against smtp-server-core: accepted inside TLS, refused in clear", async () => {
    const { port, messages } = await coreServer();
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/inside TLS.*250.*in clear.*"5\d\d/);
    expect(messages).toHaveLength(0);
  });

  it("is n/a when REQUIRETLS is switched off", async () => {
    const { port } = await coreServer({ extensions: { requireTls: false } });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("n/a");
  });

  it("is n/a with --tls none against smtp-server-core (offered only inside TLS)", async () => {
    const { port } = await coreServer();
    const r = await check(port, ID, { tls: "none" });
    expect(r.status, explain(r)).toBe("n/a");
  });

  it("warns when REQUIRETLS is offered in clear but refused there", async () => {
    const { port } = await toyServer({ capabilities: ["PIPELINING", "ENHANCEDSTATUSCODES", "REQUIRETLS"] });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/offered in clear/);
  });

  it("fails when REQUIRETLS is accepted over a cleartext session", async () => {
    const { port, messages } = await toyServer({
      capabilities: ["PIPELINING", "ENHANCEDSTATUSCODES", "REQUIRETLS"],
      override: (line, state) => {
        if (!/ REQUIRETLS$/i.test(line)) return undefined;
        state.mail = true;
        return "250 2.1.0 ok";
      },
    });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/without TLS/);
    expect(messages).toHaveLength(0);
  });

  it("fails when REQUIRETLS is offered inside TLS and then refused", async () => {
    const { port } = await toyServer({
      capabilities: ["PIPELINING", "ENHANCEDSTATUSCODES", "REQUIRETLS"],
      override: (line, state) => (state.tls && / REQUIRETLS$/i.test(line) ? "555 5.5.4 unknown parameter" : undefined),
    });
    const r = await check(port, ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/inside TLS/);
  });
});
