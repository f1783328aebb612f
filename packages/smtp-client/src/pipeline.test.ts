import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { SmtpClientError } from "./errors.js";
import { FakeServer, type FakeOptions } from "./test-support/fake-server.js";

const MSG = "Subject: hi\r\n\r\nhello\r\n";

async function session(o: FakeOptions = {}, extra: Record<string, unknown> = {}) {
  const server = new FakeServer(o);
  const conn = await connect({ host: "fake.test", tls: "none", socket: server.factory, ...extra });
  return { server, conn };
}

describe("pipelining (RFC 2920)", () => {
  test("MAIL, every RCPT and DATA leave in one write; replies matched in order", async () => {
    const { server, conn } = await session();
    const before = server.writes.length;
    const r = await conn.send({ from: "a@x.test", to: ["b@y.test", "reject@y.test", "c@y.test"], message: MSG });
    const envelopeWrite = server.writes[before]?.toString();
    expect(envelopeWrite).toBe(
      "MAIL FROM:<a@x.test> SIZE=22\r\nRCPT TO:<b@y.test>\r\nRCPT TO:<reject@y.test>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n",
    );
    expect(r.recipients.map((x) => [x.address, x.accepted, x.reply.code])).toEqual([
      ["b@y.test", true, 250],
      ["reject@y.test", false, 550],
      ["c@y.test", true, 250],
    ]);
    expect(r.recipients[1]?.reply.enhanced).toEqual({ cls: 5, subject: 1, detail: 1 });
    expect(r.accepted).toEqual(["b@y.test", "c@y.test"]);
    expect(r.rejected).toEqual(["reject@y.test"]);
    expect(r.data?.code).toBe(250);
    expect(r.messageId).toBe("FAKE123");
    expect(r.host).toBe("fake.test");
    expect(server.bodies[0]?.toString()).toBe(`${MSG}.\r\n`);
    await conn.quit();
    expect(server.lines.at(-1)).toBe("QUIT");
  });

  test("every RCPT refused but DATA got 354: only the terminating dot is sent", async () => {
    const { server, conn } = await session();
    const r = await conn.send({ from: "a@x.test", to: ["reject1@y.test", "reject2@y.test"], message: MSG });
    expect(r.accepted).toEqual([]);
    expect(r.data).toBeUndefined();
    expect(server.bodies).toEqual([Buffer.from(".\r\n")]);
    expect(server.wire).not.toContain("hello");
  });

  test("without PIPELINING each command waits for its reply, and no DATA when all RCPTs fail", async () => {
    const { server, conn } = await session({ ehlo: ["8BITMIME"] });
    const before = server.writes.length;
    const r = await conn.send({ from: "a@x.test", to: ["reject@y.test"], message: MSG });
    expect(server.writes.slice(before).map((w) => w.toString())).toEqual([
      "MAIL FROM:<a@x.test>\r\n",
      "RCPT TO:<reject@y.test>\r\n",
    ]);
    expect(r.rejected).toEqual(["reject@y.test"]);
    // The next message starts with RSET: the transaction was left open.
    await conn.send({ from: "a@x.test", to: ["b@y.test"], message: MSG });
    expect(server.lines.slice(1)).toEqual([
      "MAIL FROM:<a@x.test>",
      "RCPT TO:<reject@y.test>",
      "RSET",
      "MAIL FROM:<a@x.test>",
      "RCPT TO:<b@y.test>",
      "DATA",
    ]);
  });

  test("a recipient given twice is sent and reported once, with the address exactly as given", async () => {
    const { server, conn } = await session();
    const r = await conn.send({ from: "a@x.test", to: ["Bob@Y.test", "Bob@y.TEST", "c@y.test"], message: MSG });
    expect(r.recipients.map((x) => x.address)).toEqual(["Bob@Y.test", "c@y.test"]);
    expect(server.lines.filter((l) => l.startsWith("RCPT"))).toHaveLength(2);
  });

  test("MAIL refused: SmtpClientError phase mail, pairing kept for the next message", async () => {
    let first = true;
    const { server, conn } = await session({
      onCommand: (l) => {
        if (l.startsWith("MAIL") && first) {
          first = false;
          return "451 4.3.0 try later\r\n";
        }
        if (l.startsWith("RCPT") && !first && server.lines.filter((x) => x.startsWith("MAIL")).length === 1) {
          return "503 5.5.1 need MAIL\r\n";
        }
        if (l === "DATA" && server.lines.filter((x) => x.startsWith("MAIL")).length === 1) return "503 5.5.1 need RCPT\r\n";
        return undefined;
      },
    });
    const e = await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG }).catch((x: unknown) => x);
    expect(SmtpClientError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "rejected", phase: "mail", temporary: true, reply: { code: 451 } });
    const r = await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    expect(r.accepted).toEqual(["b@y.test"]);
    expect(server.lines).toContain("RSET");
  });

  test("several messages on one connection, each with its own result", async () => {
    const { server, conn } = await session();
    for (let i = 0; i < 3; i++) {
      const r = await conn.send({ from: "a@x.test", to: `r${i}@y.test`, message: `Subject: ${i}\r\n\r\nbody ${i}\r\n` });
      expect(r.accepted).toEqual([`r${i}@y.test`]);
    }
    expect(server.bodies.map((b) => b.toString())).toEqual([0, 1, 2].map((i) => `Subject: ${i}\r\n\r\nbody ${i}\r\n.\r\n`));
    await conn.reset();
    expect(server.lines.at(-1)).toBe("RSET");
  });

  test("message input as Uint8Array, Readable and async iterable give the same wire bytes", async () => {
    const { server, conn } = await session();
    const text = "Subject: s\r\n\r\nline one\r\nline two\r\n";
    async function* gen() {
      yield "Subject: s\r\n\r\n";
      yield new TextEncoder().encode("line one\r\nline two\r\n");
    }
    await conn.send({ from: "a@x.test", to: "b@y.test", message: new TextEncoder().encode(text) });
    await conn.send({ from: "a@x.test", to: "b@y.test", message: Readable.from([Buffer.from(text.slice(0, 5)), Buffer.from(text.slice(5))]) });
    await conn.send({ from: "a@x.test", to: "b@y.test", message: gen() });
    expect(server.bodies).toHaveLength(3);
    for (const b of server.bodies) expect(b.toString()).toBe(`${text}.\r\n`);
  });
});

describe("EHLO, LMTP", () => {
  test("EHLO answered 502 falls back to HELO; capabilities are empty", async () => {
    const { server, conn } = await session({ onCommand: (l) => (l.startsWith("EHLO") ? "502 5.5.1 no EHLO\r\n" : undefined) });
    expect(server.lines.slice(0, 2)).toEqual(["EHLO localhost", "HELO localhost"]);
    expect(conn.capabilities.pipelining).toBe(false);
    const r = await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    expect(r.accepted).toEqual(["b@y.test"]);
  });

  test("EHLO answered 550 is an ehlo-phase error, no HELO", async () => {
    const server = new FakeServer({ onCommand: (l) => (l.startsWith("EHLO") ? "550 5.7.1 go away\r\n" : undefined) });
    const e = await connect({ tls: "none", socket: server.factory }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "rejected", phase: "ehlo", temporary: false });
    expect(server.lines).toEqual(["EHLO localhost"]);
  });

  test("a 554 greeting is a greeting-phase error", async () => {
    const server = new FakeServer({ greeting: "554 5.3.2 no service" });
    const e = await connect({ tls: "none", socket: server.factory }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "rejected", phase: "greeting", reply: { code: 554 } });
    expect(server.lines).toEqual([]);
  });

  test("LMTP: LHLO and one reply per accepted recipient after the data (RFC 2033 §4.2)", async () => {
    // Two accepted recipients: two replies after the dot.
    const server = new FakeServer({ dataReply: "250 2.0.0 first ok\r\n452 4.2.2 mailbox full" });
    const conn = await connect({ tls: "none", socket: server.factory, lmtp: true });
    expect(server.lines[0]).toBe("LHLO localhost");
    const r = await conn.send({ from: "a@x.test", to: ["one@y.test", "reject@y.test", "two@y.test"], message: MSG });
    expect(r.recipients.map((x) => [x.address, x.accepted, x.reply.code])).toEqual([
      ["one@y.test", true, 250],
      ["reject@y.test", false, 550],
      ["two@y.test", false, 452],
    ]);
  });
});
