import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { Secret, type ServerVerifiers } from "@smtpkit/smtp-sasl";
import { TLS, serve, sink } from "./test-support/harness.js";
import { PYTHON, havePython } from "./test-support/peers.js";

const script = fileURLToPath(new URL("../test/peers/smtplib_client.py", import.meta.url));
const cafile = fileURLToPath(new URL("../test/fixtures/ca.crt", import.meta.url));
const available = havePython();

const verifiers: ServerVerifiers = {
  async lookupPassword(username) {
    return username === "py" ? new Secret("snake-pass") : undefined;
  },
};

function runPython(config: Record<string, unknown>): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [script, JSON.stringify({ cafile, ...config })], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`smtplib failed: ${err.message}\n${stderr}`));
      else resolve((JSON.parse(stdout) as { sent: string[] }).sent.map((b) => Buffer.from(b, "base64")));
    });
  });
}

describe.skipIf(!available)("interop: Python smtplib", () => {
  test("plain: dot lines and 8-bit body, stored byte for byte", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const sent = await runPython({ mode: "plain", port, scenario: "sendmail" });
    expect(s.messages).toHaveLength(1);
    expect(s.messages[0]?.bytes.equals(sent[0] as Buffer)).toBe(true);
    expect(s.messages[0]?.envelope.mailParams.body).toBe("8BITMIME");
  });

  test("send_message to several recipients (To and Cc)", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const sent = await runPython({ mode: "plain", port, scenario: "send_message" });
    expect(s.messages[0]?.bytes.equals(sent[0] as Buffer)).toBe(true);
    expect(s.messages[0]?.envelope.rcptTo.map((r) => r.address)).toEqual(["x@mx.test", "y@mx.test", "z@mx.test"]);
  });

  for (const mechanism of ["PLAIN", "LOGIN", "CRAM-MD5"]) {
    test(`STARTTLS then login() with ${mechanism}`, async () => {
      const s = sink({}, false);
      const { port } = await serve({ tls: TLS }, { ...s.hooks, onAuth: verifiers });
      const sent = await runPython({ mode: "starttls", port, scenario: "sendmail", mechanism, user: "py", password: "snake-pass" });
      expect(s.messages[0]?.bytes.equals(sent[0] as Buffer)).toBe(true);
      expect(s.messages[0]?.session.auth).toEqual({ mechanism, username: "py" });
      expect(s.messages[0]?.session.tls?.via).toBe("starttls");
    });
  }

  test("SMTP_SSL (implicit TLS) with login()", async () => {
    const s = sink({}, false);
    const { port } = await serve({ tls: TLS, listen: [{ port: 0, tls: "implicit" }] }, { ...s.hooks, onAuth: verifiers });
    const sent = await runPython({ mode: "ssl", port, scenario: "send_message", mechanism: "PLAIN", user: "py", password: "snake-pass" });
    expect(s.messages[0]?.bytes.equals(sent[0] as Buffer)).toBe(true);
    expect(s.messages[0]?.session.tls?.via).toBe("implicit");
  });

  test("a wrong password is refused with 535", async () => {
    const { port } = await serve({ tls: TLS, limits: { authFailureDelay: 0 } }, { onAuth: verifiers });
    await expect(runPython({ mode: "starttls", port, scenario: "sendmail", mechanism: "PLAIN", user: "py", password: "wrong" })).rejects.toThrow(
      /SMTPAuthenticationError|535/,
    );
  });
});
