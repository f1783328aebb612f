/** Finding interop peers: a missing peer skips the test locally and fails it in CI (CI=true). */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const inCi = process.env.CI === "true" || process.env.CI === "1";

export const PYTHON = "/usr/bin/python3";

/** Is the peer there? In CI a missing peer is an error, never a skip. */
export function havePeer(name: string, probe: () => boolean): boolean {
  let ok = false;
  try {
    ok = probe();
  } catch {
    ok = false;
  }
  if (!ok && inCi) throw new Error(`interop peer missing in CI: ${name}`);
  return ok;
}

export const havePython = (): boolean =>
  havePeer("python3 with smtplib", () => {
    if (!existsSync(PYTHON)) return false;
    execFileSync(PYTHON, ["-c", "import smtplib, ssl, email"], { stdio: "ignore", timeout: 10_000 });
    return true;
  });
