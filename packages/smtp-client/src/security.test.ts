import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { SmtpClientError } from "./errors.js";
import { FakeServer } from "./test-support/fake-server.js";

const fixture = (n: string) => readFileSync(new URL(`../test/fixtures/${n}`, import.meta.url));
const TLS = { key: fixture("server.key"), cert: fixture("server.crt") };
const CA = fixture("ca.crt");
const MSG = "Subject: hi\r\n\r\nhello\r\n";

function countingFactory(server: FakeServer) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    factory: () => {
      calls++;
      return server.client;
    },
  };
}

describe("control characters are refused before a single byte is written", () => {
  for (const [what, name, auth] of [
    ["EHLO name with CRLF", "host.test\r\nMAIL FROM:<x@y>", undefined],
    ["EHLO name with NUL", "host\u0000.test", undefined],
    ["AUTH username with LF", "host.test", { username: "u\nRSET", password: "p" }],
    ["AUTH authzid with CR", "host.test", { username: "u", authzid: "a\rb", password: "p" }],
  ] as const) {
    test(what, async () => {
      const server = new FakeServer();
      const f = countingFactory(server);
      const e = await connect({ tls: "none", name, socket: f.factory, ...(auth ? { auth } : {}) }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "invalid-input", temporary: false });
      expect(f.calls).toBe(0);
      expect(server.writes).toEqual([]);
    });
  }

  for (const [what, input] of [
    ["sender with CRLF", { from: "a@x.test>\r\nRCPT TO:<evil@z.test", to: "b@y.test" }],
    ["recipient with LF", { from: "a@x.test", to: ["b@y.test", "c@y.test\nDATA"] }],
    ["recipient with NUL", { from: "a@x.test", to: "b\u0000@y.test" }],
    ["recipient with DEL", { from: "a@x.test", to: "b\u007f@y.test" }],
    ["ENVID with CRLF", { from: "a@x.test", to: "b@y.test", dsn: { envid: "id\r\nQUIT" } }],
  ] as const) {
    test(what, async () => {
      const server = new FakeServer({ ehlo: ["PIPELINING", "DSN"] });
      const conn = await connect({ tls: "none", socket: server.factory });
      const before = server.writes.length;
      const e = await conn.send({ ...input, message: MSG }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "invalid-input", phase: "input", temporary: false });
      expect(server.writes.length).toBe(before);
      // The session is still usable.
      const r = await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG });
      expect(r.accepted).toEqual(["b@y.test"]);
    });
  }
});

describe("sending-side smuggling: only the final CRLF.CRLF ends the message", () => {
  for (const seq of ["\n.\r\n", "\r\n.\n", "\n.\n", "\r.\r", "\r\n.\r"]) {
    test(`body with ${JSON.stringify(seq)} is normalised and dot-stuffed`, async () => {
      const server = new FakeServer();
      const conn = await connect({ tls: "none", socket: server.factory });
      const body = `Subject: x\r\n\r\nbefore${seq}MAIL FROM:<evil@x.test>\r\nafter\r\n`;
      await conn.send({ from: "a@x.test", to: "b@y.test", message: body });
      const wire = server.bodies[0]?.toString("latin1") ?? "";
      expect(wire.indexOf("\r\n.\r\n")).toBe(wire.length - 5);
      expect(wire).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
      expect(server.lines.filter((l) => l.startsWith("MAIL"))).toHaveLength(1);
    });
  }

  fcTest.prop([fc.array(fc.constantFrom("\r", "\n", ".", "a", "\r\n", ".\r\n"), { maxLength: 40 })], { numRuns: 60 })(
    "any mix of CR, LF and dots: one terminator, at the end, nothing bare",
    async (parts) => {
      const server = new FakeServer();
      const conn = await connect({ tls: "none", socket: server.factory });
      await conn.send({ from: "a@x.test", to: "b@y.test", message: parts.join("") });
      const wire = server.bodies[0]?.toString("latin1") ?? "";
      expect(wire.endsWith(".\r\n")).toBe(true);
      const inner = `\r\n${wire}`;
      expect(inner.indexOf("\r\n.\r\n")).toBe(inner.length - 5);
      expect(wire).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
      conn.close();
    },
  );
});

describe("chunking of the input does not change the wire", () => {
  fcTest.prop(
    [fc.array(fc.constantFrom("\r", "\n", ".", "ab", "\r\n", "é"), { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 8 })],
    { numRuns: 40 },
  )("DATA bytes for an async iterable split anywhere equal those for the whole", async (parts, cuts) => {
    const whole = Buffer.from(parts.join(""));
    const points = [...new Set(cuts.map((c) => (whole.length === 0 ? 0 : c % whole.length)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let at = 0;
    for (const p of points) {
      pieces.push(whole.subarray(at, p));
      at = p;
    }
    pieces.push(whole.subarray(at));
    const a = new FakeServer();
    const b = new FakeServer();
    const ca = await connect({ tls: "none", socket: a.factory });
    const cb = await connect({ tls: "none", socket: b.factory });
    await ca.send({ from: "a@x.test", to: "b@y.test", message: whole, params: { body: "8BITMIME" } });
    async function* gen() {
      yield* pieces;
    }
    await cb.send({ from: "a@x.test", to: "b@y.test", message: gen(), params: { body: "8BITMIME" } });
    expect(b.bodies[0]?.equals(a.bodies[0] as Buffer)).toBe(true);
    ca.close();
    cb.close();
  });
});

describe("BDAT (RFC 3030)", () => {
  test("counts are exact, the body is sent unchanged, LAST on the last chunk", async () => {
    const server = new FakeServer({ ehlo: ["PIPELINING", "CHUNKING", "8BITMIME", "BINARYMIME"] });
    const conn = await connect({ tls: "none", socket: server.factory });
    const chunks = [Buffer.from("Subject: b\r\n\r\n"), Buffer.from("bare\nLF and \r\n.dot\r\n"), Buffer.from([0xff, 0, 0x80])];
    async function* gen() {
      yield* chunks;
    }
    const r = await conn.send({ from: "a@x.test", to: "b@y.test", message: gen(), params: { body: "BINARYMIME" } });
    expect(r.data?.code).toBe(250);
    expect(server.bdatSizes).toEqual(chunks.map((c) => c.length));
    expect(server.lines.filter((l) => l.startsWith("BDAT"))).toEqual(["BDAT 14", "BDAT 20", "BDAT 3 LAST"]);
    expect(server.bodies[0]?.equals(Buffer.concat(chunks))).toBe(true);
    expect(server.lines[1]).toBe("MAIL FROM:<a@x.test> BODY=BINARYMIME");
  });

  test("pipelined: MAIL, RCPT and the first BDAT with its chunk in one write", async () => {
    const server = new FakeServer({ ehlo: ["PIPELINING", "CHUNKING"] });
    const conn = await connect({ tls: "none", socket: server.factory });
    const before = server.writes.length;
    await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    expect(server.writes[before]?.toString()).toBe(`MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nBDAT ${MSG.length} LAST\r\n${MSG}`);
  });

  test("without PIPELINING each BDAT waits for its reply (RFC 3030 §4.2)", async () => {
    const server = new FakeServer({ ehlo: ["CHUNKING"], deferReplies: true });
    const conn = await connect({ tls: "none", socket: server.factory });
    async function* gen() {
      yield Buffer.from("a\r\n");
      yield Buffer.from("bb\r\n");
      yield Buffer.from("ccc\r\n");
    }
    const before = server.writes.length;
    await conn.send({ from: "a@x.test", to: "b@y.test", message: gen() });
    expect(server.writes.slice(before).map((w) => w.toString())).toEqual([
      "MAIL FROM:<a@x.test>\r\n",
      "RCPT TO:<b@y.test>\r\n",
      "BDAT 3\r\na\r\n",
      "BDAT 4\r\nbb\r\n",
      "BDAT 5 LAST\r\nccc\r\n",
    ]);
    const t = server.transcript;
    const firstOk = t.indexOf("S: 250 2.0.0 chunk ok\r\n");
    expect(firstOk).toBeGreaterThan(t.indexOf("C: BDAT 3\r\na\r\n"));
    expect(firstOk).toBeLessThan(t.indexOf("C: BDAT 4\r\nbb\r\n"));
  });

  test("every recipient refused after a pipelined first BDAT: the rest of the message is not sent", async () => {
    const server = new FakeServer({ ehlo: ["PIPELINING", "CHUNKING"] });
    const conn = await connect({ tls: "none", socket: server.factory });
    async function* gen() {
      yield Buffer.from("part one\r\n");
      yield Buffer.from("part two\r\n");
    }
    const r = await conn.send({ from: "a@x.test", to: "reject@y.test", message: gen() });
    expect(r.accepted).toEqual([]);
    expect(r.data).toBeUndefined();
    expect(server.lines.filter((l) => l.startsWith("BDAT"))).toEqual(["BDAT 10"]);
    // The session stays in step: the next message starts with RSET and goes through.
    const ok = await conn.send({ from: "a@x.test", to: "b@y.test", message: "x\r\n" });
    expect(ok.data?.code).toBe(250);
    expect(server.lines).toContain("RSET");
  });

  test("an empty message is BDAT 0 LAST", async () => {
    const server = new FakeServer({ ehlo: ["CHUNKING"] });
    const conn = await connect({ tls: "none", socket: server.factory });
    await conn.send({ from: "a@x.test", to: "b@y.test", message: "" });
    expect(server.lines.at(-1)).toBe("BDAT 0 LAST");
  });
});

describe("STARTTLS stripping and response injection fail closed", () => {
  test("required, STARTTLS not offered: error before AUTH or MAIL", async () => {
    const server = new FakeServer({ ehlo: ["PIPELINING", "AUTH PLAIN LOGIN"] });
    const e = await connect({ tls: "required", socket: server.factory, auth: { username: "u", password: "p" } }).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: "tls-unavailable", phase: "tls" });
    expect(server.lines).toEqual(["EHLO localhost"]);
  });

  for (const mode of ["required", "opportunistic"] as const) {
    test(`${mode}: 454 to STARTTLS never falls back to plaintext`, async () => {
      const server = new FakeServer({
        tls: TLS,
        onCommand: (l) => (l === "STARTTLS" ? "454 4.7.0 TLS not available\r\n" : undefined),
      });
      const e = await connect({ tls: mode, socket: server.factory }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "tls-unavailable", phase: "tls", reply: { code: 454 }, temporary: true });
      expect(server.lines).toEqual(["EHLO localhost", "STARTTLS"]);
    });
  }

  for (const [what, injected] of [
    ["complete extra lines after the 220", "250-AUTH PLAIN\r\n250 PIPELINING\r\n"],
    ["a partial line after the 220", "250-AUTH PL"],
  ] as const) {
    test(`${what}: tls-injection, nothing more sent`, async () => {
      const server = new FakeServer({
        tls: TLS,
        onCommand: (l) => (l === "STARTTLS" ? `220 2.0.0 go ahead\r\n${injected}` : undefined),
      });
      const e = await connect({ tls: "opportunistic", socket: server.factory, tlsOptions: { ca: CA } }).catch(
        (x: unknown) => x,
      );
      expect(e).toMatchObject({ phase: "tls" });
      expect((e as SmtpClientError).code).toMatch(/^tls-injection$|^bad-reply$/);
      expect(server.lines).toEqual(["EHLO localhost", "STARTTLS"]);
    });
  }

  test("a failed handshake (untrusted certificate) never falls back", async () => {
    const server = new FakeServer({ tls: TLS });
    const e = await connect({ tls: "opportunistic", socket: server.factory, tlsOptions: { servername: "localhost" } }).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: "tls-failed", phase: "tls" });
    expect(server.lines).toEqual(["EHLO localhost", "STARTTLS"]);
  });

  test("capabilities come only from the EHLO after TLS", async () => {
    const server = new FakeServer({
      tls: TLS,
      ehloBeforeTls: ["STARTTLS", "AUTH PLAIN", "CHUNKING", "SIZE 10"],
      ehlo: ["PIPELINING", "SIZE 5000"],
    });
    const conn = await connect({ tls: "required", socket: server.factory, tlsOptions: { ca: CA, servername: "localhost" } });
    expect(conn.secure).toBe(true);
    expect(conn.capabilities.auth).toEqual([]);
    expect(conn.capabilities.chunking).toBe(false);
    expect(conn.capabilities.size).toBe(5000);
    const r = await conn.send({ from: "a@x.test", to: "b@y.test", message: MSG });
    expect(r.accepted).toEqual(["b@y.test"]);
    await conn.quit();
  });
});

describe("reply pairing and limits", () => {
  test("an unsolicited reply line ends the session instead of shifting the pairing", async () => {
    // Without PIPELINING the client waits for each reply: the surplus 250 after MAIL's would
    // otherwise be taken as the RCPT's answer, hiding its real 550.
    const server = new FakeServer({
      ehlo: ["8BITMIME"],
      onCommand: (l) => (l.startsWith("MAIL") ? "250 2.1.0 Ok\r\n250 2.1.5 injected\r\n" : undefined),
    });
    const conn = await connect({ tls: "none", socket: server.factory });
    const e = await conn.send({ from: "a@x.test", to: "reject@y.test", message: MSG }).catch((x: unknown) => x);
    expect(SmtpClientError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "bad-reply" });
    expect(conn.closed).toBe(true);
    expect(server.lines.filter((l) => l === "DATA")).toEqual([]);
  });

  test("extra lines before the greeting's reply is read cannot become EHLO capabilities", async () => {
    const server = new FakeServer({ greeting: "220 fake.test ESMTP\r\n250-STARTTLS\r\n250 AUTH PLAIN" });
    const e = await connect({ tls: "none", socket: server.factory }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "bad-reply" });
    expect(server.lines.filter((l) => l.startsWith("AUTH") || l.startsWith("MAIL"))).toEqual([]);
  });

  test("an over-long reply line is cut off with bad-reply", async () => {
    const server = new FakeServer({ greeting: `220 ${"x".repeat(5000)}` });
    const e = await connect({ tls: "none", socket: server.factory }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "bad-reply", phase: "greeting" });
  });

  test("endless AUTH challenges are cut off after maxChallenges", async () => {
    let challenges = 0;
    const server = new FakeServer({
      ehlo: ["AUTH LOGIN"],
      onCommand: (l) => {
        if (l === "*") return "501 5.0.0 cancelled\r\n";
        if (l.startsWith("AUTH") || /^[A-Za-z0-9+/=]*$/.test(l)) {
          challenges++;
          return "334 VXNlcm5hbWU6\r\n";
        }
        return undefined;
      },
    });
    const e = await connect({
      tls: "none",
      socket: server.factory,
      auth: { username: "u", password: "p", allowPlaintext: true, maxChallenges: 5 },
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "auth-failed", phase: "auth" });
    expect(challenges).toBeLessThanOrEqual(6);
    expect(server.lines.at(-1)).toBe("*");
  });
});

describe("secrets never leak", () => {
  test("a refused password is in no error message, inspect output or JSON", async () => {
    const password = "hunter2-very-secret";
    const server = new FakeServer({
      tls: TLS,
      ehlo: ["AUTH PLAIN LOGIN"],
      onCommand: (l) => (l.startsWith("AUTH") ? "535 5.7.8 Authentication credentials invalid\r\n" : undefined),
    });
    const e = await connect({
      tls: "required",
      socket: server.factory,
      tlsOptions: { ca: CA, servername: "localhost" },
      auth: { username: "user", password },
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "auth-failed", reply: { code: 535 }, temporary: false });
    const b64 = Buffer.from(`\0user\0${password}`).toString("base64");
    for (const text of [String(e), inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e), (e as Error).stack ?? ""]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(b64);
    }
  });

  test("the logger sees the mechanism, never the password", async () => {
    const logged: string[] = [];
    const log = (o: object, m?: string) => logged.push(`${JSON.stringify(o)} ${m ?? ""}`);
    const server = new FakeServer({
      ehlo: ["AUTH PLAIN"],
      onCommand: (l) => (l.startsWith("AUTH") ? "235 2.7.0 ok\r\n" : undefined),
    });
    const conn = await connect({
      tls: "none",
      socket: server.factory,
      auth: { username: "user", password: "s3cret-pw", allowPlaintext: true },
      logger: { info: log, warn: log, error: log },
    });
    expect(conn.authenticated).toBe("PLAIN");
    expect(logged.join("\n")).toContain("PLAIN");
    expect(logged.join("\n")).not.toContain("s3cret-pw");
    expect(inspect(conn, { depth: 10, showHidden: true })).not.toContain("s3cret-pw");
  });

  test("plaintext mechanisms are refused over cleartext unless allowed", async () => {
    const server = new FakeServer({ ehlo: ["AUTH PLAIN LOGIN"] });
    const e = await connect({ tls: "none", socket: server.factory, auth: { username: "u", password: "p" } }).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: "auth-unavailable", phase: "auth" });
    expect(server.lines).toEqual(["EHLO localhost"]);
  });
});
