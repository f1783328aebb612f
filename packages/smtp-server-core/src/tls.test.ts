import { connect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { describe, expect, test } from "vitest";
import { CA, Raw, TLS, fixture, serve, session, sink, until } from "./test-support/harness.js";
import type { Session } from "./types.js";

describe("STARTTLS (RFC 3207)", () => {
  test("offered before TLS, not after; the session forgets HELO and needs EHLO again", async () => {
    const s = sink();
    const { port } = await serve({ tls: TLS }, s.hooks);
    const c = await session(port, false);
    c.send("EHLO c.test\r\n");
    expect(await c.reply()).toContain("250-STARTTLS");
    expect(await c.cmd("STARTTLS")).toBe("220 2.0.0 Ready to start TLS");
    await c.startTls(port);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^503 5\.5\.1 /);
    c.send("EHLO c.test\r\n");
    const ehlo = await c.reply();
    expect(ehlo).not.toContain("STARTTLS");
    expect(ehlo).toContain("REQUIRETLS");
    await c.cmd("MAIL FROM:<a@b.test> REQUIRETLS");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    expect(await c.cmd("secret\r\n.")).toMatch(/^250 /);
    const m = s.messages[0];
    expect(m?.session.secure).toBe(true);
    expect(m?.session.tls).toMatchObject({ via: "starttls", servername: "localhost" });
    expect(m?.session.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(m?.envelope.mailParams.requireTls).toBe(true);
    c.end();
  });

  test("commands pipelined after STARTTLS in the same packet are discarded, never executed", async () => {
    const mails: string[] = [];
    const { port } = await serve({ tls: TLS }, { onMailFrom: (f) => void mails.push(f?.localPart ?? "") });
    const c = await session(port);
    c.send("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
    expect(await c.reply()).toBe("220 2.0.0 Ready to start TLS\r\n");
    await c.startTls(port);
    // Nothing else came before or after the handshake.
    expect(c.buffered).toBe("");
    expect(await c.cmd("EHLO c.test")).toMatch(/^250 /);
    expect(await c.cmd("MAIL FROM:<honest@good.test>")).toMatch(/^250 /);
    expect(mails).toEqual(["honest"]);
    c.end();
  });

  test("STARTTLS twice: 503", async () => {
    const { port } = await serve({ tls: TLS });
    const c = await session(port);
    await c.cmd("STARTTLS");
    await c.startTls(port);
    await c.cmd("EHLO c.test");
    expect(await c.cmd("STARTTLS")).toMatch(/^503 5\.5\.1 /);
    c.end();
  });

  test("without certificates STARTTLS is not offered and answers 502", async () => {
    const { port } = await serve();
    const c = await session(port, false);
    c.send("EHLO c.test\r\n");
    expect(await c.reply()).not.toContain("STARTTLS");
    expect(await c.cmd("STARTTLS")).toMatch(/^502 5\.5\.1 /);
    c.end();
  });

  test("a failed handshake closes the connection and the session is released", async () => {
    let closed = 0;
    const { port, server } = await serve({ tls: TLS }, { onClose: () => void closed++ });
    const c = await session(port);
    await c.cmd("STARTTLS");
    c.send("this is not a TLS ClientHello\r\n");
    await c.waitClosed();
    await until(() => closed === 1 && server.connections === 0, "session release");
  });

  test("REQUIRETLS before TLS: 530 5.7.10", async () => {
    const { port } = await serve({ tls: TLS }, sink().hooks);
    const c = await session(port);
    expect(await c.cmd("MAIL FROM:<a@b.test> REQUIRETLS")).toMatch(/^530 5\.7\.10 /);
    c.end();
  });
});

describe("implicit TLS listeners (RFC 8314)", () => {
  test("TLS from the first byte next to a STARTTLS listener", async () => {
    const s = sink();
    const { ports } = await serve({ tls: TLS, listen: [{ port: 0 }, { port: 0, tls: "implicit" }] }, s.hooks);
    const c = await Raw.connect(ports[1] as number, { tls: true });
    expect(await c.reply()).toMatch(/^220 mx\.test/);
    c.send("EHLO c.test\r\n");
    expect(await c.reply()).not.toContain("STARTTLS");
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    expect(await c.cmd("hi\r\n.")).toMatch(/^250 /);
    expect(s.messages[0]?.session.tls?.via).toBe("implicit");
    c.end();
  });

  test("a plaintext client on an implicit-TLS port gets nothing and is closed", async () => {
    const { ports } = await serve({ tls: TLS, listen: [{ port: 0, tls: "implicit" }] });
    const socket = connect(ports[0] as number, "127.0.0.1");
    const got: Buffer[] = [];
    socket.on("data", (d) => got.push(d));
    socket.on("error", () => {});
    socket.write("EHLO plain.test\r\n");
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    expect(Buffer.concat(got).toString("latin1")).not.toContain("250");
  });
});

describe("certificates", () => {
  const other = { key: fixture("other.key"), cert: fixture("other.crt") };

  async function peerCertCn(port: number, servername: string): Promise<string> {
    const socket = tlsConnect({ host: "127.0.0.1", port, servername, ca: CA, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", () => resolve());
      socket.once("error", reject);
    });
    const cn = socket.getPeerCertificate().subject.CN;
    socket.destroy();
    return String(cn);
  }

  test("SNI selects the certificate; unknown names get the default", async () => {
    const { ports } = await serve({ tls: { ...TLS, sni: { "other.test": other, "*.wild.test": other } }, listen: [{ port: 0, tls: "implicit" }] });
    const port = ports[0] as number;
    expect(await peerCertCn(port, "other.test")).toBe("other.test");
    expect(await peerCertCn(port, "a.wild.test")).toBe("other.test");
    expect(await peerCertCn(port, "localhost")).toBe("localhost");
  });

  test("reloadTls swaps the certificate for new handshakes without a restart", async () => {
    const { ports, server } = await serve({ tls: TLS, listen: [{ port: 0, tls: "implicit" }] });
    const port = ports[0] as number;
    expect(await peerCertCn(port, "x.test")).toBe("localhost");
    server.reloadTls(other);
    expect(await peerCertCn(port, "x.test")).toBe("other.test");
    expect(() => server.reloadTls({ key: "garbage", cert: "garbage" })).toThrow();
    expect(await peerCertCn(port, "x.test")).toBe("other.test");
  });

  test("a client certificate is visible to hooks, verified against tls.ca", async () => {
    let seen: Session["tls"];
    const { port } = await serve({ tls: { ...TLS, ca: CA, requestCert: true } }, {
        onHelo: (_d, s) => {
          seen = s.tls;
        },
      });
    const c = await session(port);
    await c.cmd("STARTTLS");
    await c.startTls(port, { cert: true });
    await c.cmd("EHLO c.test");
    expect(seen?.clientCertificate).toMatchObject({ subject: "CN=smtpkit test client", authorized: true });
    expect(seen?.clientCertificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    c.end();
  });
});
