import { type AddressInfo, createServer as createNetServer } from "node:net";
import { describe, expect, test } from "vitest";
import { createServer } from "./server.js";
import { Raw, serve, session, sink, until } from "./test-support/harness.js";
import type { Session } from "./types.js";

describe("deadlines", () => {
  test("idle timeout: 421 4.4.2 and close", async () => {
    const { port } = await serve({ limits: { idleTimeout: 100 } });
    const c = await session(port);
    expect(await c.waitClosed()).toBe("421 4.4.2 Timeout exceeded, closing transmission channel\r\n");
  });

  test("slowloris: a command line that never ends hits the command deadline despite steady bytes", async () => {
    const { port } = await serve({ limits: { commandTimeout: 150, idleTimeout: 10_000 } });
    const c = await session(port);
    const drip = setInterval(() => c.send("x"), 20);
    try {
      expect(await c.waitClosed()).toMatch(/^421 4\.4\.2 /);
    } finally {
      clearInterval(drip);
    }
  });

  test("DATA timeout: no byte for dataTimeout closes with 421", async () => {
    const { port } = await serve({ limits: { dataTimeout: 120, minDataRate: 0 } }, sink().hooks);
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    c.send("Subject: slow\r\n");
    expect(await c.waitClosed()).toMatch(/^421 4\.4\.2 /);
  });

  test("minimum data rate: a message trickling in too slowly is cut", async () => {
    const closed: string[] = [];
    const { port } = await serve({ limits: { dataTimeout: 600, minDataRate: 10_000 } }, { ...sink().hooks, onClose: (s) => void closed.push(s.id) });
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    const drip = setInterval(() => c.send("y"), 10);
    try {
      expect(await c.waitClosed()).toBe("421 4.4.2 Data rate too low, closing transmission channel\r\n");
    } finally {
      clearInterval(drip);
    }
    await until(() => closed.length === 1, "onClose");
  });
});

describe("connection limits (421 4.7.0)", () => {
  test("per client address; the slot is free again once a session ends", async () => {
    const { port, server } = await serve({ limits: { maxConnectionsPerAddress: 2 } });
    const a = await session(port, false);
    const b = await session(port, false);
    const third = await Raw.connect(port);
    expect(await third.waitClosed()).toBe("421 4.7.0 Too many connections from your address, try again later\r\n");
    a.end();
    await until(() => server.connections === 1, "release of the first session");
    const again = await Raw.connect(port);
    expect(await again.reply()).toMatch(/^220 /);
    b.end();
    again.end();
  });

  test("the per-address default leaves room for ordinary load (50, as Postfix)", async () => {
    const { port } = await serve();
    const clients = await Promise.all(Array.from({ length: 50 }, () => session(port, false)));
    expect(clients).toHaveLength(50);
    for (const c of clients) c.end();
  });

  test("in total", async () => {
    const { port, server } = await serve({ limits: { maxConnections: 1 } });
    const a = await session(port, false);
    const b = await Raw.connect(port);
    expect(await b.waitClosed()).toBe("421 4.7.0 Too many connections, try again later\r\n");
    expect(server.connections).toBe(1);
    a.end();
  });
});

describe("transactions per connection", () => {
  test("after maxTransactions messages, MAIL gets 421 4.7.0 and the session closes", async () => {
    const { port } = await serve({ limits: { maxTransactions: 1 } }, sink().hooks);
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    expect(await c.cmd("one\r\n.")).toMatch(/^250 /);
    c.send("MAIL FROM:<a@b.test>\r\n");
    expect(await c.waitClosed()).toBe("421 4.7.0 Too many messages in this session, closing transmission channel\r\n");
  });
});

describe("recipients", () => {
  test("more than maxRecipients: 452 4.5.3", async () => {
    const { port } = await serve({ limits: { maxRecipients: 2 } }, sink().hooks);
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    expect(await c.cmd("RCPT TO:<1@y.test>")).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<2@y.test>")).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<3@y.test>")).toBe("452 4.5.3 Too many recipients");
    c.end();
  });
});

describe("graceful shutdown", () => {
  test("idle sessions get 421 4.3.2; a transaction in flight finishes first; then everything closes", async () => {
    let release: (() => void) | undefined;
    const s = sink();
    const { port, server } = await serve(
      {},
      {
        ...s.hooks,
        async onData(message) {
          for await (const _ of message);
          await new Promise<void>((r) => {
            release = r;
          });
        },
      },
    );
    const idle = await session(port);
    const busy = await session(port);
    await busy.cmd("MAIL FROM:<a@b.test>");
    await busy.cmd("RCPT TO:<x@y.test>");
    await busy.cmd("DATA");
    busy.send("in flight\r\n.\r\n");
    await until(() => release !== undefined, "onData to hold the message");
    const closing = server.close({ deadline: 5000 });
    expect(await idle.waitClosed()).toBe("421 4.3.2 Service shutting down, closing transmission channel\r\n");
    // New connections are refused once closing started.
    await expect(Raw.connect(port).then((r) => r.reply(500))).rejects.toThrow();
    release?.();
    expect(await busy.waitClosed()).toBe("250 2.0.0 OK: message accepted\r\n421 4.3.2 Service shutting down, closing transmission channel\r\n");
    await closing;
    expect(server.connections).toBe(0);
  });

  test("after the deadline every session is cut", async () => {
    const { port, server } = await serve({}, { ...sink().hooks, onData: () => new Promise<void>(() => {}) });
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    c.send("x\r\n.\r\n");
    await server.close({ deadline: 50 });
    await c.waitClosed();
    expect(server.connections).toBe(0);
  });
});

describe("robustness: nothing crashes, nothing leaks", () => {
  test("a client that resets the connection mid-DATA: the consumer sees an error, onClose runs, the session is released", async () => {
    let consumerError = "";
    let closes = 0;
    const { port, server } = await serve(
      {},
      {
        onRcptTo() {},
        async onData(message) {
          try {
            for await (const _ of message);
          } catch (err) {
            consumerError = String(err);
            throw err;
          }
        },
        onClose: () => void closes++,
      },
    );
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    c.send("partial content\r\n");
    await new Promise((r) => setTimeout(r, 20));
    c.socket.resetAndDestroy();
    await until(() => closes === 1 && server.connections === 0, "release after reset");
    expect(consumerError).toMatch(/closed/);
  });

  test("a consumer that errors: 451 after the real end of the data, the session goes on", async () => {
    const { port } = await serve(
      {},
      {
        onRcptTo() {},
        async onData(message) {
          message.destroy(new Error("consumer broke"));
          throw new Error("consumer broke");
        },
      },
    );
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    c.send(`${"z".repeat(100)}\r\n`.repeat(2000));
    c.send(".\r\n");
    expect(await c.reply()).toMatch(/^451 4\.3\.0 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });

  test("a consumer that never reads: bounded by hookTimeout, then 451 and the rest is read and dropped", async () => {
    const { port } = await serve({ limits: { hookTimeout: 100 } }, { onRcptTo() {}, onData: () => new Promise<void>(() => {}) });
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    c.send(`${"z".repeat(1000)}\r\n`.repeat(1000));
    c.send(".\r\n");
    expect(await c.reply()).toMatch(/^451 4\.3\.0 /);
    c.end();
  });

  test("a connection lost mid-transaction tells onReset, then onClose", async () => {
    const events: string[] = [];
    const { port } = await serve({}, { ...sink().hooks, onReset: () => void events.push("reset"), onClose: () => void events.push("close") });
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    c.end();
    await until(() => events.length === 2, "onReset and onClose");
    expect(events).toEqual(["reset", "close"]);
  });

  test("hooks that throw synchronously everywhere never crash the process", async () => {
    const boom = () => {
      throw new Error("boom");
    };
    const { port, server } = await serve({}, { onHelo: boom, onMailFrom: boom, onRcptTo: boom, onData: boom, onReset: boom, onClose: boom, onVrfy: boom });
    const c = await session(port, false);
    expect(await c.cmd("EHLO c.test")).toMatch(/^451 /);
    expect(await c.cmd("VRFY x")).toMatch(/^451 /);
    expect(await c.cmd("RSET")).toMatch(/^250 /);
    expect(await c.cmd("QUIT")).toMatch(/^221 /);
    await c.waitClosed();
    await until(() => server.connections === 0, "release");
  });

  test("a hook reply that cannot be put on the wire becomes 451, not a broken session", async () => {
    const { port } = await serve({}, { onVrfy: () => ({ code: 250, lines: ["bad\r\ninjected"] }) });
    const c = await session(port);
    expect(await c.cmd("VRFY x")).toMatch(/^451 4\.3\.0 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });
});

describe("listen()", () => {
  test("a port in use fails the whole listen() and leaves nothing open", async () => {
    const { port } = await serve();
    const other = createServer({ listen: [{ port: 0 }, { port }] });
    await expect(other.listen()).rejects.toThrow(/EADDRINUSE/);
    expect(other.addresses()).toEqual([]);
    await other.close({ deadline: 10 });
  });
});

describe("server.handle(): sessions over streams accepted elsewhere", () => {
  test("a socket from the application's own listener", async () => {
    const s = sink();
    const smtp = createServer({ hostname: "mx.test", listen: [] }, s.hooks);
    let seen: Session | undefined;
    const own = createNetServer((socket) => smtp.handle(socket, { remoteAddress: "192.0.2.7" }));
    await new Promise<void>((r) => own.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (own.address() as AddressInfo).port;
      const c = await session(port);
      await c.cmd("MAIL FROM:<a@b.test>");
      await c.cmd("RCPT TO:<x@y.test>");
      await c.cmd("DATA");
      expect(await c.cmd("via handle\r\n.")).toMatch(/^250 /);
      seen = s.messages[0]?.session;
      expect(seen?.remoteAddress).toBe("192.0.2.7");
      c.end();
    } finally {
      await smtp.close({ deadline: 100 });
      await new Promise((r) => own.close(r));
    }
  });
});
