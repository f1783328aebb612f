import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

const refuseAll = { verifyPassword: async () => false };

describe("security.auth-before-tls", () => {
  const id = "security.auth-before-tls";

  it("passes against smtp-server-core defaults: no AUTH at all, AUTH PLAIN in clear gets 502", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/502/);
    expect(messages).toHaveLength(0);
  });

  it("passes when AUTH is configured but held back until STARTTLS (538 in clear)", async () => {
    const { port, messages } = await coreServer({}, { onAuth: refuseAll });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/538/);
    expect(messages).toHaveLength(0);
  });

  it("fails when PLAIN and LOGIN are offered in clear and the password is checked (allowInsecure)", async () => {
    const { port, messages } = await coreServer({ auth: { allowInsecure: true } }, { onAuth: refuseAll });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/offers plaintext password mechanisms before TLS/);
    expect(r.summary).toMatch(/535/);
    expect(messages).toHaveLength(0);
  });

  it("fails when AUTH is not advertised but a password sent in clear is still checked (toy server)", async () => {
    const { port, messages } = await toyServer({ override: (line) => (/^AUTH /i.test(line) ? "535 5.7.8 bad credentials" : undefined) });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/checked a password sent in clear/);
    expect(messages).toHaveLength(0);
  });

  it("is n/a in implicit TLS mode", async () => {
    const { port, messages } = await coreServer({ listen: [{ host: "127.0.0.1", port: 0, tls: "implicit" }] });
    const r = result(await probe(port, [id], { tls: "implicit" }), id);
    expect(r.status, explain(r)).toBe("n/a");
    expect(messages).toHaveLength(0);
  });
});

describe("security.open-relay", () => {
  const id = "security.open-relay";

  it("passes against smtp-server-core: 554 for a foreign recipient, then RSET and no DATA", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/554/);
    expect(r.transcript.some((l) => l.dir === "C" && l.text === "RSET")).toBe(true);
    expect(r.transcript.some((l) => l.dir === "C" && /^DATA/.test(l.text))).toBe(false);
    expect(messages).toHaveLength(0);
  });

  it("fails when every recipient is accepted (onRcptTo accepts everything)", async () => {
    const { port, messages } = await coreServer({}, { onRcptTo() {} });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/open relay/);
    expect(r.transcript.some((l) => l.dir === "C" && /^DATA/.test(l.text))).toBe(false);
    expect(messages).toHaveLength(0);
  });

  it("warns on a temporary refusal (greylisting)", async () => {
    const { port, messages } = await toyServer({
      override: (line, state) => (/^RCPT TO:<[^>]*@example\.com>/i.test(line) && state.mail ? "450 4.7.1 greylisted, try again later" : undefined),
    });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(messages).toHaveLength(0);
  });

  it("is n/a when MAIL FROM is refused", async () => {
    const { port, messages } = await toyServer({ override: (line) => (/^MAIL /i.test(line) ? "550 5.7.1 go away" : undefined) });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("n/a");
    expect(messages).toHaveLength(0);
  });
});

describe("security.auth-throttle", () => {
  const id = "security.auth-throttle";

  it("is n/a against smtp-server-core defaults: AUTH is offered only with an onAuth verifier", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("n/a");
    expect(messages).toHaveLength(0);
  });

  it("passes with smtp-server-core's default limits (1 s before each 535, 421 after 3 failures)", async () => {
    const { port, messages } = await coreServer({}, { onAuth: refuseAll });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.transcript.filter((l) => l.dir === "-" && /^attempt \d: "535/.test(l.text))).toHaveLength(3);
    expect(messages).toHaveLength(0);
  });

  it("warns when failures are answered at once and the session stays open", async () => {
    const { port, messages } = await coreServer({ limits: { maxAuthFailures: 1000, authFailureDelay: 0 } }, { onAuth: refuseAll });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/not throttled/);
    expect(messages).toHaveLength(0);
  });

  it("fails when invented credentials are accepted", async () => {
    const { port, messages } = await coreServer({ limits: { authFailureDelay: 0 } }, { onAuth: { verifyPassword: async () => true } });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(messages).toHaveLength(0);
  });
});

describe("security.early-talker", () => {
  const id = "security.early-talker";

  it("warns against smtp-server-core defaults: greetingDelay 0 greets at once, so an early EHLO is answered", async () => {
    // Honest verdict: smtp-server-core only notices early talkers while it waits (limits.greetingDelay > 0).
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(messages).toHaveLength(0);
  });

  it("passes when the server pauses before greeting and rejects talkers (greetingDelay, earlyTalkers reject)", async () => {
    const { port, messages } = await coreServer({ limits: { greetingDelay: 300 } });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/554/);
    expect(messages).toHaveLength(0);
  });

  it("warns when the server pauses but ignores talkers (earlyTalkers ignore)", async () => {
    const { port, messages } = await coreServer({ limits: { greetingDelay: 300 }, earlyTalkers: "ignore" });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(messages).toHaveLength(0);
  });
});
