/**
 * Interop: our SERVER mechanisms against an implementation that is not ours — Python's smtplib
 * client (`login()` and `auth()` with its own CRAM-MD5, PLAIN and LOGIN) — over a loopback socket,
 * through the test-only responder in test-support/smtp-auth-responder.ts.
 *
 * Python is a peer, not an option: when CI=true and no python3 is found, these tests fail (outside
 * CI they are skipped). SMTPKIT_PYTHON=/path/to/python3 picks the interpreter.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Secret } from "./secret.js";
import { AuthResponder } from "./test-support/smtp-auth-responder.js";
import type { ServerVerifiers } from "./verifiers.js";

const SCRIPT = fileURLToPath(new URL("./test-support/smtplib_client.py", import.meta.url));
const USER = "tim@example.org";
const PASSWORD = "tanstaaf-tanstaaf";

/** `SMTPKIT_PYTHON` names the interpreter to use instead of looking for one. */
function findPython(): string | undefined {
  const candidates = process.env.SMTPKIT_PYTHON ? [process.env.SMTPKIT_PYTHON] : ["/usr/bin/python3", "python3"];
  for (const candidate of candidates) {
    if (candidate.startsWith("/") && !existsSync(candidate)) continue;
    try {
      execFileSync(candidate, ["-c", "import smtplib"], { stdio: "ignore", timeout: 10_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

const python = findPython();
const inCi = process.env.CI === "true";

interface PeerResult {
  readonly code: number;
  readonly text: string;
}

function smtplib(port: number, mechanism: string, initialResponse: boolean, password = PASSWORD): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    execFile(
      python as string,
      [SCRIPT, String(port), mechanism, initialResponse ? "ir" : "no-ir"],
      { timeout: 15_000, env: { ...process.env, SASL_TEST_USER: USER, SASL_TEST_PASSWORD: password } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`smtplib client failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as PeerResult);
      },
    );
  });
}

describe.skipIf(python === undefined && !inCi)("our servers against Python's smtplib", () => {
  let responder: AuthResponder;

  beforeAll(async () => {
    if (python === undefined) throw new Error("python3 with smtplib not found: the smtplib interop peer is required in CI");
    const verifiers: ServerVerifiers = {
      verifyPassword: async (username, password) => username === USER && password.equals(PASSWORD),
      lookupPassword: async (username) => (username === USER ? new Secret(PASSWORD) : undefined),
    };
    // PLAIN and LOGIN on a loopback socket without TLS need allowPlaintext.
    responder = await AuthResponder.listen({ verifiers, serverOptions: { allowPlaintext: true } });
  });

  afterAll(async () => {
    await responder?.close();
  });

  const cases: [string, boolean][] = [
    ["CRAM-MD5", false],
    ["PLAIN", true],
    ["PLAIN", false],
    ["LOGIN", true],
    ["LOGIN", false],
  ];
  for (const [mechanism, initialResponse] of cases) {
    const how = initialResponse ? "with initial response" : "without initial response";
    test(`smtp.auth("${mechanism}") ${how}: 235 and the identity`, async () => {
      const before = responder.attempts.length;
      const result = await smtplib(responder.port, mechanism, initialResponse);
      expect(result.code).toBe(235);
      expect(responder.attempts.slice(before)).toEqual([{ mechanism, identity: { mechanism, username: USER }, code: 235 }]);
    });

    test(`smtp.auth("${mechanism}") ${how}, wrong password: 535 5.7.8`, async () => {
      const before = responder.attempts.length;
      const result = await smtplib(responder.port, mechanism, initialResponse, `${PASSWORD}!`);
      expect(result.code).toBe(535);
      expect(result.text).toContain("5.7.8");
      const [attempt] = responder.attempts.slice(before);
      expect(attempt?.error?.code).toBe("bad-credentials");
    });
  }

  test("smtp.login() picks CRAM-MD5, its first choice among what we advertise", async () => {
    const before = responder.attempts.length;
    const result = await smtplib(responder.port, "login()", true);
    expect(result.code).toBe(235);
    expect(responder.attempts.slice(before)).toEqual([{ mechanism: "CRAM-MD5", identity: { mechanism: "CRAM-MD5", username: USER }, code: 235 }]);
  });

  test("smtp.login() with a wrong password tries CRAM-MD5, PLAIN and LOGIN, and each gets 535", async () => {
    const before = responder.attempts.length;
    const result = await smtplib(responder.port, "login()", true, "nope");
    expect(result.code).toBe(535);
    expect(responder.attempts.slice(before).map((a) => [a.mechanism, a.code])).toEqual([
      ["CRAM-MD5", 535],
      ["PLAIN", 535],
      ["LOGIN", 535],
    ]);
  });
});
