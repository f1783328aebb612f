import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { Secret } from "@smtpkit/smtp-sasl";
import { createServer, type Envelope, type Hooks, type ServerOptions, type Session } from "@smtpkit/smtp-server-core";
import { afterEach, describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { createPool } from "./pool.js";

const fixture = (n: string) => readFileSync(new URL(`../test/fixtures/${n}`, import.meta.url));
const TLS = { key: fixture("server.key"), cert: fixture("server.crt") };
const CA = fixture("ca.crt");

const servers: { close(o: { deadline: number }): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ deadline: 200 })));
});

interface Stored {
  bytes: Buffer;
  envelope: Envelope;
  session: Session;
}

async function serve(options: ServerOptions = {}, extra: Hooks = {}) {
  const messages: Stored[] = [];
  const server = createServer(
    { hostname: "mx.test", listen: [{ host: "127.0.0.1", port: 0 }], ...options },
    {
      onRcptTo() {},
      async onData(message: Readable, session: Session) {
        const parts: Buffer[] = [];
        for await (const p of message) parts.push(p as Buffer);
        messages.push({ bytes: Buffer.concat(parts), envelope: session.envelope as Envelope, session });
      },
      ...extra,
    },
  );
  servers.push(server);
  const [addr] = await server.listen();
  return { port: (addr as { port: number }).port, messages };
}

const MSG = Buffer.from("From: a@x.test\r\nSubject: core\r\n\r\n.dot line\r\n8-bit: \xe9\r\nend\r\n", "latin1");

describe("interop: smtp-server-core", () => {
  test("several concurrent sends on one connection (DATA, PIPELINING across messages): each stored exactly", async () => {
    const { port, messages } = await serve({ extensions: { chunking: false } });
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    expect(c.capabilities.pipelining).toBe(true);
    const bodies = Array.from({ length: 5 }, (_, i) => Buffer.concat([MSG, Buffer.from(`.n ${i}\r\n`)]));
    const results = await Promise.all(bodies.map((message, i) => c.send({ from: "a@x.test", to: `r${i}@y.test`, message })));
    await c.quit();
    expect(results.map((r) => r.accepted)).toEqual(bodies.map((_, i) => [`r${i}@y.test`]));
    expect(messages).toHaveLength(5);
    for (const [i, m] of messages.entries()) {
      expect(m.bytes.equals(bodies[i] as Buffer)).toBe(true);
      expect(m.envelope.transfer).toBe("DATA");
      expect(m.envelope.rcptTo.map((r) => r.address)).toEqual([`r${i}@y.test`]);
    }
  });

  test("RFC 5321 §4.1.1.3: Postmaster without a domain goes as RCPT TO:<Postmaster>, once, without ORCPT", async () => {
    const { port, messages } = await serve();
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    const r = await c.send({
      from: "a@x.test",
      to: ["postmaster", "PostMaster", "b@y.test"],
      message: MSG,
      dsn: { notify: ["FAILURE"], orcpt: true },
    });
    await c.quit();
    expect(r.accepted).toEqual(["postmaster", "b@y.test"]);
    const rcpts = messages[0]?.envelope.rcptTo ?? [];
    expect(rcpts.map((x) => "postmaster" in x.path)).toEqual([true, false]);
    expect(rcpts[0]?.params.orcpt).toBeUndefined();
    expect(rcpts[1]?.params.orcpt?.address).toBe("b@y.test");
  });

  test("STARTTLS required, SCRAM-SHA-256 chosen, BDAT used, bytes stored exactly", async () => {
    const { port, messages } = await serve(
      { tls: TLS },
      {
        onAuth: {
          async lookupPassword(u) {
            return u === "alice" ? new Secret("wonderland") : undefined;
          },
        },
      },
    );
    const c = await connect({
      host: "127.0.0.1",
      port,
      tls: "required",
      tlsOptions: { ca: CA, servername: "localhost" },
      auth: { username: "alice", password: "wonderland" },
    });
    expect(c.secure).toBe(true);
    expect(c.authenticated).toBe("SCRAM-SHA-256");
    expect(c.capabilities.chunking).toBe(true);
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test", "b@y.test"], message: MSG });
    await c.quit();
    expect(r.accepted).toEqual(["b@y.test", "c@y.test"]);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.bytes.equals(MSG)).toBe(true);
    expect(messages[0]?.envelope.transfer).toBe("BDAT");
    expect(messages[0]?.envelope.mailParams.body).toBe("8BITMIME");
    expect(messages[0]?.session.auth?.username).toBe("alice");
  });

  test("DATA path (CHUNKING off): dot-stuffed, stored byte for byte, DSN and SMTPUTF8 parameters", async () => {
    const { port, messages } = await serve({ extensions: { chunking: false } });
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    const r = await c.send({
      from: "jörg@x.test",
      to: "ünï@y.test",
      message: MSG,
      dsn: { ret: "HDRS", envid: "id+1 x", notify: ["SUCCESS", "FAILURE"], orcpt: true },
    });
    await c.quit();
    expect(r.accepted).toEqual(["ünï@y.test"]);
    const m = messages[0];
    expect(m?.bytes.equals(MSG)).toBe(true);
    expect(m?.envelope.transfer).toBe("DATA");
    expect(m?.envelope.mailParams).toMatchObject({ smtputf8: true, ret: "HDRS", envid: "id+1 x" });
    expect(m?.envelope.rcptTo[0]?.params).toEqual({
      notify: ["SUCCESS", "FAILURE"],
      orcpt: { addrType: "utf-8", address: "ünï@y.test" },
    });
  });

  test("implicit TLS with a custom CA", async () => {
    const { port, messages } = await serve({ tls: TLS, listen: [{ host: "127.0.0.1", port: 0, tls: "implicit" }] });
    const c = await connect({ host: "127.0.0.1", port, tls: "implicit", tlsOptions: { ca: CA, servername: "localhost" } });
    expect(c.secure).toBe(true);
    await c.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    await c.quit();
    expect(messages[0]?.session.tls).toBeDefined();
  });

  test("a certificate for another name is refused; insecure is an explicit opt-out", async () => {
    const { port } = await serve({ tls: TLS });
    const e = await connect({ host: "127.0.0.1", port, tls: "required", tlsOptions: { ca: CA, servername: "wrong.test" } }).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: "tls-failed", phase: "tls" });
    const c = await connect({ host: "127.0.0.1", port, tls: "required", tlsOptions: { insecure: true } });
    expect(c.secure).toBe(true);
    await c.quit();
  });

  test("a client certificate is presented and verified by the server", async () => {
    const { port, messages } = await serve({ tls: { ...TLS, ca: CA, requestCert: true } });
    const c = await connect({
      host: "127.0.0.1",
      port,
      tls: "required",
      tlsOptions: { ca: CA, servername: "localhost", cert: fixture("client.crt"), key: fixture("client.key") },
    });
    await c.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    await c.quit();
    expect(messages[0]?.session.tls?.clientCertificate).toMatchObject({ authorized: true });
    expect(messages[0]?.session.tls?.clientCertificate?.subject).toContain("smtpkit test client");
  });

  for (const chunking of [true, false]) {
    test(`a 12 MiB streamed message arrives intact (${chunking ? "BDAT" : "DATA"})`, async () => {
      const { port, messages } = await serve({ extensions: { chunking }, limits: { maxMessageSize: 64 * 1024 * 1024 } });
      const c = await connect({ host: "127.0.0.1", port, tls: "none" });
      const line = Buffer.from(`${"x".repeat(70)}\r\n.${"y".repeat(20)}\r\n`);
      const chunk = Buffer.concat(Array.from({ length: 1024 }, () => line));
      const count = Math.ceil((12 * 1024 * 1024) / chunk.length);
      const head = Buffer.from("Subject: big\r\n\r\n");
      async function* body() {
        yield head;
        for (let i = 0; i < count; i++) yield chunk;
      }
      const r = await c.send({ from: "a@x.test", to: "b@y.test", message: body() });
      await c.quit();
      expect(r.data?.code).toBe(250);
      const got = messages[0]?.bytes ?? Buffer.alloc(0);
      expect(got.length).toBe(head.length + count * chunk.length);
      expect(got.subarray(head.length, head.length + chunk.length).equals(chunk)).toBe(true);
      expect(got.subarray(got.length - chunk.length).equals(chunk)).toBe(true);
      expect(messages[0]?.envelope.transfer).toBe(chunking ? "BDAT" : "DATA");
    });
  }

  test("REQUIRETLS: refused over cleartext, sent over TLS", async () => {
    const { port, messages } = await serve({ tls: TLS });
    const plain = await connect({ host: "127.0.0.1", port, tls: "none" });
    const e = await plain.send({ from: "a@x.test", to: "b@y.test", message: MSG, params: { requireTls: true } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "tls-unavailable" });
    await plain.quit();
    const c = await connect({ host: "127.0.0.1", port, tls: "required", tlsOptions: { ca: CA, servername: "localhost" } });
    await c.send({ from: "a@x.test", to: "b@y.test", message: MSG, params: { requireTls: true } });
    await c.quit();
    expect(messages[0]?.envelope.mailParams.requireTls).toBe(true);
  });

  test("SIZE pre-check: too large is refused before MAIL", async () => {
    const { port, messages } = await serve({ limits: { maxMessageSize: 1000 } });
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    const e = await c.send({ from: "a@x.test", to: "b@y.test", message: Buffer.alloc(2000, 0x61) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "size-exceeded", temporary: false });
    await c.quit();
    expect(messages).toHaveLength(0);
  });

  test("8-bit message to a server without 8BITMIME: a clear error, nothing sent", async () => {
    const { port, messages } = await serve({ extensions: { eightBitMime: false, smtputf8: false, chunking: false } });
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    const e = await c.send({ from: "a@x.test", to: "b@y.test", message: MSG }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "extension-missing" });
    expect((e as Error).message).toContain("8BITMIME");
    const u = await c.send({ from: "a@x.test", to: "ü@y.test", message: "x\r\n" }).catch((x: unknown) => x);
    expect(u).toMatchObject({ code: "extension-missing" });
    await c.quit();
    expect(messages).toHaveLength(0);
  });

  test("streamed 8-bit message to a server without 8BITMIME: dropped before the end of data, nothing stored", async () => {
    const { port, messages } = await serve({ extensions: { eightBitMime: false, smtputf8: false, chunking: false } });
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    async function* body() {
      yield Buffer.from("Subject: s\r\n\r\nplain line\r\n".repeat(50));
      yield Buffer.from("caf\u00e9\r\n", "utf8");
      yield Buffer.from("more\r\n");
    }
    const e = await c.send({ from: "a@x.test", to: "b@y.test", message: body() }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "extension-missing", phase: "data", temporary: false });
    expect(c.closed).toBe(true);
    // The server saw the connection drop mid-DATA: no message, however long we let it settle.
    for (let i = 0; i < 20 && messages.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(messages).toHaveLength(0);
  });

  test("streamed message to a server with 8BITMIME: BODY=8BITMIME declared, bytes stored as sent", async () => {
    const { port, messages } = await serve({ extensions: { chunking: false } });
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    const text = "Subject: s\r\n\r\ncaf\u00e9\r\n";
    async function* body() {
      yield Buffer.from(text, "utf8");
    }
    await c.send({ from: "a@x.test", to: "b@y.test", message: body() });
    await c.quit();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.envelope.mailParams.body).toBe("8BITMIME");
    expect(messages[0]?.bytes.toString("utf8")).toBe(text);
  });

  test("LMTP against smtp-server-core", async () => {
    const { port, messages } = await serve({ lmtp: true });
    const c = await connect({ host: "127.0.0.1", port, tls: "none", lmtp: true });
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test"], message: "Subject: l\r\n\r\nx\r\n" });
    await c.quit();
    expect(r.accepted).toEqual(["b@y.test", "c@y.test"]);
    expect(messages).toHaveLength(1);
  });

  test("a pool spreads 20 messages over at most 3 connections, 4 messages each", async () => {
    const { port, messages } = await serve();
    const pool = createPool({ host: "127.0.0.1", port, tls: "none", maxConnections: 3, maxMessages: 4 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pool.send({ from: "a@x.test", to: `r${i}@y.test`, message: `Subject: ${i}\r\n\r\nx\r\n` })),
    );
    await pool.close();
    expect(results.every((r) => r.accepted.length === 1)).toBe(true);
    expect(messages).toHaveLength(20);
    const sessions = new Map<string, number>();
    for (const m of messages) sessions.set(m.session.id, (sessions.get(m.session.id) ?? 0) + 1);
    expect(Math.max(...sessions.values())).toBeLessThanOrEqual(4);
    expect(sessions.size).toBeGreaterThanOrEqual(5);
  });
});
