import { mkdtempSync, readdirSync, readFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { SmtpClientError } from "./errors.js";
import { freePort, haveSmtpSink, SMTP_SINK, startPeer } from "./test-support/peers.js";

const available = haveSmtpSink();

async function sink(flags: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "smtp-sink-"));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
  await startPeer(SMTP_SINK, [...asRoot, "-d", `${dir}/%M.`, ...flags, `127.0.0.1:${port}`, "10"], port);
  const dumps = async (n: number) => {
    for (let i = 0; i < 200 && readdirSync(dir).length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return readdirSync(dir).map((f) => readFileSync(join(dir, f), "latin1"));
  };
  return { port, dumps };
}

/** smtp-sink stores the message after its own trace headers, with LF line ends and dots unstuffed. */
function storedBody(dump: string): string {
  return dump.slice(dump.indexOf("Subject: sink"));
}

const MSG = "Subject: sink\r\n\r\n.leading dot\r\nbare\nLF\r\n";

describe.skipIf(!available)("interop: Postfix smtp-sink", () => {
  test("PIPELINING advertised: one session, two recipients, the body stored as sent", async () => {
    const s = await sink();
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    expect(c.capabilities.pipelining).toBe(true);
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test"], message: MSG });
    await c.quit();
    expect(r.accepted).toEqual(["b@y.test", "c@y.test"]);
    const [dump] = await s.dumps(1);
    expect(dump).toContain("X-Rcpt-Args: <b@y.test>\nX-Rcpt-Args: <c@y.test>\n");
    // The dump ends each message with an empty line of its own.
    expect(storedBody(dump ?? "")).toBe("Subject: sink\n\n.leading dot\nbare\nLF\n\n");
  });

  test("several concurrent sends on one connection, pipelined across messages: all stored", async () => {
    const s = await sink();
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => c.send({ from: "a@x.test", to: `r${i}@y.test`, message: MSG })),
    );
    await c.quit();
    expect(results.map((r) => [r.accepted, r.data?.code])).toEqual(results.map((_, i) => [[`r${i}@y.test`], 250]));
    const dumps = await s.dumps(10);
    expect(dumps).toHaveLength(10);
    for (const d of dumps) expect(storedBody(d)).toBe("Subject: sink\n\n.leading dot\nbare\nLF\n\n");
    expect(dumps.map((d) => /X-Rcpt-Args: <(r\d+)@y.test>/.exec(d)?.[1]).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `r${i}`).sort(),
    );
  });

  test("PIPELINING hidden (-p): lock-step commands, same result", async () => {
    const s = await sink(["-p"]);
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    expect(c.capabilities.pipelining).toBe(false);
    for (let i = 0; i < 3; i++) {
      const r = await c.send({ from: "a@x.test", to: `r${i}@y.test`, message: MSG });
      expect(r.accepted).toEqual([`r${i}@y.test`]);
    }
    await c.quit();
    expect(await s.dumps(3)).toHaveLength(3);
  });

  test("RCPT refused softly (-r RCPT): every recipient temporary, no message", async () => {
    const s = await sink(["-r", "RCPT"]);
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test"], message: MSG });
    expect(r.accepted).toEqual([]);
    expect(r.recipients.every((x) => x.reply.code >= 400 && x.reply.code < 500)).toBe(true);
    // The connection is still in step: a later message gets the same answers.
    const again = await c.send({ from: "a@x.test", to: "d@y.test", message: MSG });
    expect(again.rejected).toEqual(["d@y.test"]);
    await c.quit();
  });

  test("the final dot refused (-f .): a permanent data-phase error", async () => {
    const s = await sink(["-f", "."]);
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    const e = await c.send({ from: "a@x.test", to: "b@y.test", message: MSG }).catch((x: unknown) => x);
    expect(SmtpClientError.isInstance(e)).toBe(true);
    expect(e).toMatchObject({ code: "rejected", phase: "data", temporary: false });
    await c.quit();
  });

  test("421 and disconnect on MAIL (-Q MAIL): a temporary error", async () => {
    const s = await sink(["-Q", "MAIL"]);
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    const e = await c.send({ from: "a@x.test", to: "b@y.test", message: MSG }).catch((x: unknown) => x);
    expect(e).toMatchObject({ temporary: true });
    expect(c.closed).toBe(true);
  });

  test("LMTP (-L): one reply per recipient after the data", async () => {
    const s = await sink(["-L"]);
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none", lmtp: true });
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test"], message: MSG });
    expect(r.recipients.map((x) => [x.address, x.accepted])).toEqual([
      ["b@y.test", true],
      ["c@y.test", true],
    ]);
    await c.quit();
  });
});
