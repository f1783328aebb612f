import { describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { createPool } from "./pool.js";
import { RateLimiter } from "./rate-limit.js";
import { FakeServer } from "./test-support/fake-server.js";
import { DEFAULT_TIMEOUTS, resolveTimeouts } from "./timeouts.js";

const MSG = "Subject: hi\r\n\r\nhello\r\n";

describe("timeouts and cancellation", () => {
  test("defaults are RFC 5321 §4.5.3.2", () => {
    expect(DEFAULT_TIMEOUTS).toMatchObject({
      greeting: 300_000,
      mail: 300_000,
      rcpt: 300_000,
      dataInit: 120_000,
      dataBlock: 180_000,
      dataEnd: 600_000,
    });
    expect(resolveTimeouts({ rcpt: 5 }).rcpt).toBe(5);
    expect(() => resolveTimeouts({ mail: -1 })).toThrow(RangeError);
  });

  test("a silent server: the greeting timeout ends the session with phase greeting", async () => {
    // A server that never says anything.
    const silent = () => {
      const s = new FakeServer();
      s.socket.write = (() => true) as typeof s.socket.write;
      return s.client;
    };
    const e = await connect({ tls: "none", socket: silent, timeouts: { greeting: 30 } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "timeout", phase: "greeting", temporary: true });
  });

  test("the final-dot timeout applies after the data", async () => {
    const server = new FakeServer({ dataReply: "" });
    const conn = await connect({ tls: "none", socket: server.factory, timeouts: { dataEnd: 30 } });
    server.socket.removeAllListeners("data");
    const onData = (d: Buffer) => {
      const t = d.toString();
      if (t.startsWith("MAIL")) server.send("250 ok\r\n250 ok\r\n354 go\r\n");
      // the dot gets no reply
    };
    server.socket.on("data", onData);
    const e = await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "timeout", phase: "data" });
    expect(conn.closed).toBe(true);
  });

  test("AbortSignal cancels a send in progress", async () => {
    const server = new FakeServer({ onCommand: (l) => (l.startsWith("MAIL") ? "" : undefined) });
    const conn = await connect({ tls: "none", socket: server.factory });
    const ac = new AbortController();
    const p = conn.send({ from: "a@x.test", to: "b@y.test", message: MSG, signal: ac.signal });
    setImmediate(() => ac.abort());
    await expect(p).rejects.toMatchObject({ code: "aborted" });
    expect(conn.closed).toBe(true);
  });

  test("an aborted signal stops connect before anything is sent", async () => {
    const server = new FakeServer();
    const ac = new AbortController();
    ac.abort();
    const e = await connect({ tls: "none", socket: server.factory, signal: ac.signal }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "aborted" });
    expect(server.writes).toEqual([]);
  });
});

describe("AUTH details", () => {
  test("OAuth2: the token provider is asked again with refresh after the error challenge", async () => {
    const asked: boolean[] = [];
    let attempt = 0;
    const server = new FakeServer({
      ehlo: ["AUTH XOAUTH2"],
      onCommand: (l) => {
        if (l.startsWith("AUTH XOAUTH2")) {
          attempt++;
          if (attempt === 1) {
            return `334 ${Buffer.from('{"status":"401","schemes":"bearer"}').toString("base64")}\r\n`;
          }
          return "235 2.7.0 ok\r\n";
        }
        if (l === "") return "535 5.7.8 bad token\r\n";
        return undefined;
      },
    });
    const conn = await connect({
      tls: "none",
      socket: server.factory,
      auth: {
        username: "u@x.test",
        allowPlaintext: true,
        token: async ({ refresh }) => {
          asked.push(refresh);
          return refresh ? "fresh-token" : "stale-token";
        },
      },
    });
    expect(conn.authenticated).toBe("XOAUTH2");
    expect(asked).toEqual([false, true]);
    const second = server.lines.filter((l) => l.startsWith("AUTH XOAUTH2"))[1] ?? "";
    expect(Buffer.from(second.split(" ")[2] ?? "", "base64").toString()).toContain("Bearer fresh-token");
  });

  test("a forced mechanism the server does not offer is auth-unavailable", async () => {
    const server = new FakeServer({ ehlo: ["AUTH PLAIN"] });
    const e = await connect({
      tls: "none",
      socket: server.factory,
      auth: { username: "u", password: "p", mechanism: "CRAM-MD5" },
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "auth-unavailable" });
  });
});

describe("message encoding choices", () => {
  test("8-bit content sends BODY=8BITMIME; non-ASCII addresses send SMTPUTF8", async () => {
    const server = new FakeServer({ ehlo: ["PIPELINING", "8BITMIME", "SMTPUTF8"] });
    const conn = await connect({ tls: "none", socket: server.factory });
    await conn.send({ from: "a@x.test", to: "b@y.test", message: "Subject: é\r\n\r\nü\r\n" });
    await conn.send({ from: "ä@x.test", to: "b@y.test", message: MSG });
    expect(server.lines.filter((l) => l.startsWith("MAIL"))).toEqual([
      "MAIL FROM:<a@x.test> BODY=8BITMIME",
      "MAIL FROM:<ä@x.test> SMTPUTF8",
    ]);
  });

  test("BINARYMIME without CHUNKING is a clear error", async () => {
    const server = new FakeServer({ ehlo: ["8BITMIME"] });
    const conn = await connect({ tls: "none", socket: server.factory });
    const e = await conn.send({ from: "a@x.test", to: "b@y.test", message: Buffer.from([1, 0, 2]) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "extension-missing" });
    expect((e as Error).message).toContain("BINARYMIME");
  });
});

describe("pool", () => {
  test("the rate limit is shared: a window admits `limit` starts, then says how long to wait", () => {
    let now = 1000;
    const r = new RateLimiter(2, 100, () => now);
    expect(r.tryTake()).toBe(0);
    expect(r.tryTake()).toBe(0);
    expect(r.tryTake()).toBe(100);
    now += 100;
    expect(r.tryTake()).toBe(0);
  });

  test("maxConnections bounds the sockets opened; messages reuse them", async () => {
    const fakes: FakeServer[] = [];
    const pool = createPool({
      tls: "none",
      maxConnections: 2,
      socket: () => {
        const s = new FakeServer();
        fakes.push(s);
        return s.client;
      },
    });
    await Promise.all(Array.from({ length: 9 }, (_, i) => pool.send({ from: "a@x.test", to: `r${i}@y.test`, message: MSG })));
    expect(fakes.length).toBe(2);
    expect(fakes.reduce((n, f) => n + f.bodies.length, 0)).toBe(9);
    await pool.close();
    for (const f of fakes) expect(f.lines.at(-1)).toBe("QUIT");
  });

  test("idle connections are closed after idleTimeout", async () => {
    const fakes: FakeServer[] = [];
    const pool = createPool({
      tls: "none",
      idleTimeout: 20,
      socket: () => {
        const s = new FakeServer();
        fakes.push(s);
        return s.client;
      },
    });
    await pool.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    for (let i = 0; i < 100 && fakes[0]?.lines.at(-1) !== "QUIT"; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fakes[0]?.lines.at(-1)).toBe("QUIT");
    await pool.close();
  });
});
