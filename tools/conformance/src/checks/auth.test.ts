import { Secret } from "@smtpkit/smtp-sasl";
import { describe, expect, it } from "vitest";
import { formatJson } from "../format.js";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

const ID = "extensions.auth";
const PASSWORD = "wonderland-9f3c";
const onAuth = {
  async lookupPassword(username: string) {
    return username === "alice" ? new Secret(PASSWORD) : undefined;
  },
};

describe("extensions.auth (RFC 4954 §3, §4, §6)", () => {
  it("is n/a without --user/--password", async () => {
    const { port } = await coreServer({}, { onAuth });
    const r = result(await probe(port, [ID]), ID);
    expect(r.status, explain(r)).toBe("n/a");
    expect(r.summary).toMatch(/--user and --password/);
  });

  it("passes against smtp-server-core: SCRAM-SHA-256/1 with and without channel binding, CRAM-MD5, PLAIN and LOGIN each accept the account, and the password is never in the report", async () => {
    const { port, messages } = await coreServer({}, { onAuth });
    const report = await probe(port, [ID], { auth: { username: "alice", password: PASSWORD } });
    const r = result(report, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN/);
    const json = formatJson(report);
    const plain = Buffer.from(`\0alice\0${PASSWORD}`).toString("base64");
    for (const leak of [PASSWORD, plain, Buffer.from(PASSWORD).toString("base64")]) expect(json).not.toContain(leak);
    expect(messages).toHaveLength(0);
  });

  it("fails when the account is refused, and stops after two refusals (no ban for the probe's address)", async () => {
    const { port } = await coreServer({}, { onAuth });
    const r = result(await probe(port, [ID], { auth: { username: "alice", password: "not it" } }), ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/the account was refused/);
    expect(r.summary).toMatch(/SCRAM-SHA-1 \(stopped after 2 refusals\)/);
    expect(r.transcript.filter((l) => l.dir === "C" && l.text.startsWith("AUTH ")).length).toBe(2);
  });

  it("never sends a real password in clear: PLAIN and LOGIN are skipped on a cleartext session", async () => {
    const { port } = await coreServer({ auth: { allowInsecure: true } }, { onAuth });
    const report = await probe(port, [ID], { tls: "none", auth: { username: "alice", password: PASSWORD } });
    const r = result(report, ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/PLAIN \(not in clear\)/);
    expect(r.transcript.some((l) => l.dir === "C" && /^AUTH (PLAIN|LOGIN)/.test(l.text))).toBe(false);
  });

  it("fails when an offered mechanism refuses a valid account (a broken CRAM-MD5)", async () => {
    let cram = false;
    const { port } = await toyServer({
      capabilities: ["PIPELINING", "ENHANCEDSTATUSCODES", "AUTH PLAIN CRAM-MD5"],
      override: (line) => {
        if (cram) {
          cram = false;
          return "535 5.7.8 authentication failed";
        }
        if (/^AUTH PLAIN /i.test(line)) return "235 2.7.0 ok";
        if (/^AUTH CRAM-MD5$/i.test(line)) {
          cram = true;
          return `334 ${Buffer.from("<1234.5678@toy.test>").toString("base64")}`;
        }
        return undefined;
      },
    });
    const r = result(await probe(port, [ID], { auth: { username: "alice", password: PASSWORD } }), ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/CRAM-MD5 → "535 5\.7\.8/);
    expect(r.summary).toMatch(/accepted by PLAIN/);
  });
});
