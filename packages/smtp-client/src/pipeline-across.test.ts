import { describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { SmtpClientError } from "./errors.js";
import { FakeServer, type FakeOptions } from "./test-support/fake-server.js";

const msg = (i: number) => `Subject: ${i}\r\n\r\nbody ${i}\r\n`;
const input = (i: number) => ({ from: "a@x.test", to: `r${i}@y.test`, message: msg(i) });
const envelope = (i: number) => `MAIL FROM:<a@x.test> SIZE=${msg(i).length}\r\nRCPT TO:<r${i}@y.test>\r\nDATA\r\n`;

async function session(o: FakeOptions = {}) {
  const server = new FakeServer({ deferReplies: true, ...o });
  const conn = await connect({ host: "fake.test", tls: "none", socket: server.factory });
  return { server, conn, start: server.transcript.length };
}

describe("pipelining across messages (RFC 2920 §3.1)", () => {
  test("queued sends: each message's dot is followed by the next MAIL/RCPT/DATA before its reply", async () => {
    const { server, conn, start } = await session();
    const results = await Promise.all([0, 1, 2].map((i) => conn.send(input(i))));
    expect(results.map((r) => [r.accepted, r.data?.code])).toEqual([0, 1, 2].map((i) => [[`r${i}@y.test`], 250]));
    const ok = "250 2.0.0 Ok: queued as FAKE123\r\n";
    const envOk = "250 2.1.0 Ok\r\n";
    const rcptOk = "250 2.1.5 Ok\r\n";
    const go = "354 End data with <CR><LF>.<CR><LF>\r\n";
    // The client never waits for a final reply before the next transaction's commands: the groups
    // are [MAIL RCPT DATA] then [body . MAIL RCPT DATA] …, and the replies come back in that order.
    expect(server.transcript.slice(start)).toEqual([
      `C: ${envelope(0)}`,
      `S: ${envOk}`,
      `S: ${rcptOk}`,
      `S: ${go}`,
      `C: ${msg(0)}.\r\n`,
      `C: ${envelope(1)}`,
      `S: ${ok}`,
      `S: ${envOk}`,
      `S: ${rcptOk}`,
      `S: ${go}`,
      `C: ${msg(1)}.\r\n`,
      `C: ${envelope(2)}`,
      `S: ${ok}`,
      `S: ${envOk}`,
      `S: ${rcptOk}`,
      `S: ${go}`,
      `C: ${msg(2)}.\r\n`,
      `S: ${ok}`,
    ]);
    expect(server.lines).not.toContain("RSET");
    await conn.quit();
  });

  test("the body, its dot and the next envelope are written while the socket is corked: one flush", async () => {
    const { server, conn } = await session();
    const corked: [string, number][] = [];
    const write = server.client.write.bind(server.client);
    server.client.write = ((chunk: Uint8Array, ...rest: never[]) => {
      corked.push([Buffer.from(chunk).toString("latin1"), server.client.writableCorked]);
      return write(chunk, ...rest);
    }) as typeof server.client.write;
    await Promise.all([0, 1].map((i) => conn.send(input(i))));
    expect(corked).toEqual([
      [envelope(0), 0],
      [`${msg(0)}.\r\n`, 1],
      [envelope(1), 1],
      [`${msg(1)}.\r\n`, 1],
    ]);
    await conn.quit();
  });

  test("a refused middle message fails alone; the next one goes through without RSET", async () => {
    const { server, conn } = await session({
      dataReply: (i) => (i === 1 ? "554 5.7.1 message refused" : undefined),
    });
    const settled = await Promise.allSettled([0, 1, 2].map((i) => conn.send(input(i))));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const e = (settled[1] as PromiseRejectedResult).reason;
    expect(SmtpClientError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "rejected", phase: "data", permanent: true, reply: { code: 554 } });
    expect((settled[2] as PromiseFulfilledResult<{ accepted: readonly string[] }>).value.accepted).toEqual(["r2@y.test"]);
    expect(server.lines.filter((l) => l.startsWith("MAIL"))).toHaveLength(3);
    expect(server.lines).not.toContain("RSET");
    expect(conn.closed).toBe(false);
    await conn.quit();
  });

  test("a connection drop fails every queued send with the same error", async () => {
    const { conn } = await session({
      dataReply: (i, s) => {
        if (i === 0) return undefined;
        s.socket.destroy();
        return "";
      },
    });
    const settled = await Promise.allSettled([0, 1, 2, 3].map((i) => conn.send(input(i))));
    expect(settled[0]?.status).toBe("fulfilled");
    const errors = settled.slice(1).map((s) => (s as PromiseRejectedResult).reason as SmtpClientError);
    expect(errors.map((e) => e?.code)).toEqual(["connection-lost", "connection-lost", "connection-lost"]);
    expect(errors[1]).toBe(errors[0]);
    expect(errors[2]).toBe(errors[0]);
    expect(conn.closed).toBe(true);
  });

  test("without PIPELINING queued sends stay one transaction at a time", async () => {
    const { server, conn, start } = await session({ ehlo: ["8BITMIME"] });
    await Promise.all([0, 1].map((i) => conn.send(input(i))));
    const t = server.transcript.slice(start);
    // The second MAIL goes out only after the first message's final reply.
    const firstFinal = t.indexOf("S: 250 2.0.0 Ok: queued as FAKE123\r\n");
    const secondMail = t.findIndex((x, k) => k > 0 && x.startsWith("C: MAIL"));
    expect(secondMail).toBeGreaterThan(firstFinal);
  });

  test("BDAT (CHUNKING) and LMTP keep one transaction at a time", async () => {
    for (const o of [{ ehlo: ["PIPELINING", "CHUNKING"] }, { ehlo: ["PIPELINING"] }]) {
      const lmtp = o.ehlo.length === 1;
      const server = new FakeServer({ deferReplies: true, ...o });
      const conn = await connect({ tls: "none", socket: server.factory, lmtp });
      const start = server.transcript.length;
      await Promise.all([0, 1].map((i) => conn.send(input(i))));
      const t = server.transcript.slice(start);
      const firstFinal = t.indexOf("S: 250 2.0.0 Ok: queued as FAKE123\r\n");
      const secondMail = t.findIndex((x, k) => k > 0 && x.startsWith("C: MAIL"));
      expect(firstFinal).toBeGreaterThan(0);
      expect(secondMail).toBeGreaterThan(firstFinal);
    }
  });
});
