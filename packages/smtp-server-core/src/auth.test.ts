import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { describe, expect, test } from "vitest";
import { createClientMechanism, Secret, type ServerVerifiers } from "@smtpkit/smtp-sasl";
import { CA, fixture, type Raw, TLS, serve, session, sink } from "./test-support/harness.js";
import type { Logger } from "./types.js";

const verifiers: ServerVerifiers = {
  async verifyPassword(username, password) {
    return username === "alice" && password.reveal() === "wonderland";
  },
  async lookupPassword(username) {
    return username === "alice" ? new Secret("wonderland") : undefined;
  },
};
const plain = (u: string, p: string) => Buffer.from(`\0${u}\0${p}`).toString("base64");
const b64 = (s: string) => Buffer.from(s).toString("base64");

async function secureSession(port: number): Promise<Raw> {
  const c = await session(port);
  await c.cmd("STARTTLS");
  await c.startTls(port);
  await c.cmd("EHLO c.test");
  return c;
}

/** SCRAM-SHA-256-PLUS on a TLS session with the given binding data; resolves to the final reply line. */
async function scramPlus(c: Raw, type: "tls-exporter" | "tls-server-end-point", data: Uint8Array): Promise<string> {
  const mech = createClientMechanism(
    "SCRAM-SHA-256-PLUS",
    { username: "alice", password: "wonderland" },
    { encrypted: true, channelBinding: { [type]: data } },
    { channelBindingType: type },
  );
  const { initialResponse } = await mech.start();
  let line = await c.cmd(`AUTH SCRAM-SHA-256-PLUS ${Buffer.from(initialResponse ?? new Uint8Array()).toString("base64")}`);
  while (line.startsWith("334 ")) {
    const answer = await mech.next(Buffer.from(line.slice(4), "base64"));
    line = await c.cmd(Buffer.from(answer).toString("base64"));
  }
  return line;
}

describe("AUTH (RFC 4954)", () => {
  test("not advertised before TLS when TLS is available; advertised after; plaintext AUTH before TLS is 538 5.7.11", async () => {
    const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
    const c = await session(port, false);
    c.send("EHLO c.test\r\n");
    expect(await c.reply()).not.toMatch(/AUTH/);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toBe("538 5.7.11 Encryption required for requested authentication mechanism");
    expect(await c.cmd("AUTH CRAM-MD5")).toMatch(/^538 5\.7\.11 /);
    await c.cmd("STARTTLS");
    await c.startTls(port);
    c.send("EHLO c.test\r\n");
    expect(await c.reply()).toMatch(/250[- ]AUTH SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1 CRAM-MD5 PLAIN LOGIN\r\n/);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toBe("235 2.7.0 Authentication succeeded");
    c.end();
  });

  test("without TLS at all, only mechanisms that hide the password are offered", async () => {
    const { port } = await serve({}, { onAuth: verifiers });
    const c = await session(port, false);
    c.send("EHLO c.test\r\n");
    const ehlo = await c.reply();
    expect(ehlo).toMatch(/AUTH .*CRAM-MD5/);
    expect(ehlo).not.toMatch(/PLAIN|LOGIN/);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toMatch(/^538 5\.7\.11 /);
    c.end();
  });

  test("PLAIN with an initial response; the identity reaches hooks; authenticated sessions may relay", async () => {
    const s = sink({}, false);
    const { port } = await serve({ tls: TLS }, { ...s.hooks, onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<x@y.test>")).toMatch(/^530 5\.7\.0 /);
    await c.cmd("RSET");
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toMatch(/^235 2\.7\.0 /);
    await c.cmd("MAIL FROM:<a@b.test>");
    expect(await c.cmd("RCPT TO:<x@y.test>")).toMatch(/^250 /);
    await c.cmd("DATA");
    await c.cmd("x\r\n.");
    expect(s.messages[0]?.session.auth).toEqual({ mechanism: "PLAIN", username: "alice" });
    c.end();
  });

  test("PLAIN without initial response: an empty 334, then the response", async () => {
    const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd("AUTH PLAIN")).toBe("334 ");
    expect(await c.cmd(plain("alice", "wonderland"))).toMatch(/^235 /);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toMatch(/^503 5\.5\.1 /);
    c.end();
  });

  test("LOGIN step by step", async () => {
    const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd("AUTH LOGIN")).toBe(`334 ${b64("Username:")}`);
    expect(await c.cmd(b64("alice"))).toBe(`334 ${b64("Password:")}`);
    expect(await c.cmd(b64("wonderland"))).toMatch(/^235 /);
    c.end();
  });

  test("SCRAM-SHA-256 driven by smtp-sasl's client", async () => {
    const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
    const c = await secureSession(port);
    const mech = createClientMechanism("SCRAM-SHA-256", { username: "alice", password: "wonderland" }, { encrypted: true });
    const { initialResponse } = await mech.start();
    let line = await c.cmd(`AUTH SCRAM-SHA-256 ${Buffer.from(initialResponse ?? new Uint8Array()).toString("base64")}`);
    while (line.startsWith("334 ")) {
      const answer = await mech.next(Buffer.from(line.slice(4), "base64"));
      line = await c.cmd(Buffer.from(answer).toString("base64"));
    }
    expect(line).toMatch(/^235 2\.7\.0 /);
    c.end();
  });

  for (const type of ["tls-exporter", "tls-server-end-point"] as const) {
    test(`SCRAM-SHA-256-PLUS with ${type} channel binding computed by the client's own TLS socket`, async () => {
      const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
      const c = await secureSession(port);
      const socket = c.socket as TLSSocket;
      const data =
        type === "tls-exporter"
          ? socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0))
          : createHash("sha256").update(socket.getPeerX509Certificate()?.raw ?? Buffer.alloc(0)).digest();
      expect(await scramPlus(c, type, data)).toMatch(/^235 2\.7\.0 /);
      c.end();
    });
  }

  test("RFC 5929 §4.1: tls-server-end-point hashes with the hash of the certificate's signature — SHA-384 for a certificate signed with sha384WithRSAEncryption", async () => {
    const ecdsa = { key: fixture("ecdsa384.key"), cert: fixture("ecdsa384.crt") };
    const { port } = await serve({ tls: ecdsa }, { onAuth: verifiers });
    const c = await secureSession(port);
    const peer = (c.socket as TLSSocket).getPeerX509Certificate();
    expect(peer?.toLegacyObject().asn1Curve).toBe("secp384r1");
    // Computed here from the RFC's rule, independently of smtp-sasl's tlsServerEndPoint().
    const data = createHash("sha384").update(peer?.raw ?? Buffer.alloc(0)).digest();
    expect(await scramPlus(c, "tls-server-end-point", data)).toMatch(/^235 2\.7\.0 /);
    c.end();
  });

  test("EXTERNAL with a verified client certificate", async () => {
    const { port } = await serve(
      { tls: { ...TLS, ca: CA, requestCert: true } },
      {
        onAuth: {
          async verifyExternal(cert) {
            return cert.subject === "CN=smtpkit test client" ? { username: "client-cert" } : undefined;
          },
        },
      },
    );
    const c = await session(port);
    await c.cmd("STARTTLS");
    await c.startTls(port, { cert: true });
    c.send("EHLO c.test\r\n");
    expect(await c.reply()).toMatch(/AUTH EXTERNAL/);
    expect(await c.cmd("AUTH EXTERNAL =")).toMatch(/^235 /);
    c.end();
  });

  test("`*` cancels the exchange: 501 5.7.0", async () => {
    const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
    const c = await secureSession(port);
    await c.cmd("AUTH LOGIN");
    expect(await c.cmd("*")).toBe("501 5.7.0 Authentication cancelled");
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });

  test("a response that is not base64: 501 5.5.2", async () => {
    const { port } = await serve({ tls: TLS }, { onAuth: verifiers });
    const c = await secureSession(port);
    await c.cmd("AUTH LOGIN");
    expect(await c.cmd("not base64!")).toMatch(/^501 5\.5\.2 /);
    c.end();
  });

  test("unknown mechanism 504 5.5.4; AUTH in a transaction 503", async () => {
    const { port } = await serve({ tls: TLS }, { ...sink().hooks, onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd("AUTH NTLM")).toMatch(/^504 5\.5\.4 /);
    await c.cmd("MAIL FROM:<a@b.test>");
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toMatch(/^503 5\.5\.1 /);
    c.end();
  });

  test("failures: 535 5.7.8 each, then 421 after maxAuthFailures; the password is never logged", async () => {
    const lines: string[] = [];
    const log = (o: object, m?: string) => void lines.push(JSON.stringify(o) + (m ?? ""));
    const logger: Logger = { info: log, warn: log, error: log };
    const { port } = await serve({ tls: TLS, logger, limits: { maxAuthFailures: 2, authFailureDelay: 10 } }, { onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "hunter2")}`)).toBe("535 5.7.8 Authentication credentials invalid");
    c.send(`AUTH PLAIN ${plain("alice", "hunter3")}\r\n`);
    expect(await c.waitClosed()).toBe(
      "535 5.7.8 Authentication credentials invalid\r\n421 4.7.0 Too many authentication failures, closing transmission channel\r\n",
    );
    expect(lines.join("\n")).not.toMatch(/hunter|wonderland/);
  });

  test("STARTTLS forgets the authentication", async () => {
    const { port } = await serve({ tls: TLS, auth: { allowInsecure: true } }, { ...sink({}, false).hooks, onAuth: verifiers });
    const c = await session(port);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`)).toMatch(/^235 /);
    await c.cmd("STARTTLS");
    await c.startTls(port);
    await c.cmd("EHLO c.test");
    await c.cmd("MAIL FROM:<a@b.test>");
    expect(await c.cmd("RCPT TO:<x@y.test>")).toMatch(/^530 /);
    c.end();
  });

  test("auth.required: MAIL needs an authenticated session (530 5.7.0)", async () => {
    const { port } = await serve({ tls: TLS, auth: { required: true } }, { ...sink().hooks, onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toBe("530 5.7.0 Authentication required");
    await c.cmd(`AUTH PLAIN ${plain("alice", "wonderland")}`);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^250 /);
    c.end();
  });

  test("an AUTH line may be longer than 512 octets (RFC 4954 §4); other commands may not", async () => {
    const { port } = await serve({ tls: TLS, limits: { authFailureDelay: 0 } }, { onAuth: verifiers });
    const c = await secureSession(port);
    expect(await c.cmd(`AUTH PLAIN ${plain("alice", "x".repeat(1000))}`)).toMatch(/^535 /);
    expect(await c.cmd(`NOOP ${"x".repeat(1000)}`)).toMatch(/^500 5\.5\.6 /);
    c.end();
  });
});
