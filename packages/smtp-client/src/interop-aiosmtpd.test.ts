import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { connect } from "./connection.js";
import { freePort, haveAiosmtpd, PYTHON, startPeer } from "./test-support/peers.js";

const available = haveAiosmtpd();
const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CA = readFileSync(path("../test/fixtures/ca.crt"));

async function aiosmtpd() {
  const dir = mkdtempSync(join(tmpdir(), "aiosmtpd-"));
  const port = await freePort();
  await startPeer(
    PYTHON,
    [path("../test/peers/aiosmtpd_server.py"), String(port), dir, path("../test/fixtures/server.crt"), path("../test/fixtures/server.key")],
    port,
  );
  return { port, file: (n: string) => readFileSync(join(dir, n)) };
}

const MSG = Buffer.from("Subject: py\r\n\r\n.dot\r\nbare CR\rand LF\nend\r\n");

describe.skipIf(!available)("interop: Python aiosmtpd", () => {
  test("STARTTLS then AUTH, message stored as normalised on the wire", async () => {
    const s = await aiosmtpd();
    const c = await connect({
      host: "127.0.0.1",
      port: s.port,
      tls: "required",
      tlsOptions: { ca: CA, servername: "localhost" },
      auth: { username: "py", password: "snake-pass" },
    });
    expect(c.secure).toBe(true);
    expect(["PLAIN", "LOGIN"]).toContain(c.authenticated);
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test"], message: MSG });
    await c.quit();
    expect(r.accepted).toEqual(["b@y.test", "c@y.test"]);
    expect(r.messageId).toBe("PY1");
    // Bare CR and LF became CRLF before dot-stuffing; the server unstuffs and keeps the rest.
    expect(s.file("1.eml").toString("latin1")).toBe("Subject: py\r\n\r\n.dot\r\nbare CR\r\nand LF\r\nend\r\n");
    const env = JSON.parse(s.file("1.json").toString()) as { to: string[]; auth: boolean };
    expect(env.to).toEqual(["b@y.test", "c@y.test"]);
    expect(env.auth).toBe(true);
  });

  test("opportunistic TLS is used when offered; AUTH before TLS is never tried", async () => {
    const s = await aiosmtpd();
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "opportunistic", tlsOptions: { ca: CA, servername: "localhost" } });
    expect(c.secure).toBe(true);
    expect(c.capabilities.startTls).toBe(false);
    await c.quit();
  });

  test("tls none against a server that requires STARTTLS: MAIL refused, typed error", async () => {
    const s = await aiosmtpd();
    const c = await connect({ host: "127.0.0.1", port: s.port, tls: "none" });
    const e = await c.send({ from: "a@x.test", to: "b@y.test", message: MSG }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "rejected", phase: "mail", reply: { code: 530 } });
    await c.quit();
  });
});
