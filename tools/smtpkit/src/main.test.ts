import { describe, expect, test } from "vitest";
import { smtpkit } from "./test-support/run-main.js";

describe("smtpkit dispatcher", () => {
  test("--help lists the verbs and the exit codes", async () => {
    const r = await smtpkit("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\nVerbs:\n");
    // Column width depends on the longest verb name, so match the line loosely.
    expect(r.stdout).toMatch(/^ {2}mx +where mail for a domain goes/m);
    for (const line of ["  0   success", "  1   internal error", "  2   permanent failure", "  3   temporary failure", "  64  usage error"]) {
      expect(r.stdout).toContain(line);
    }
  });

  test("-h is --help", async () => {
    expect((await smtpkit("-h")).stdout).toBe((await smtpkit("--help")).stdout);
  });

  test("no verb, an unknown verb or an unknown global option -> 64 with the help on stderr", async () => {
    for (const argv of [[], ["frobnicate"], ["--bogus", "mx"]]) {
      const r = await smtpkit(...argv);
      expect(r.code).toBe(64);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("Usage: smtpkit <verb>");
    }
  });
});
