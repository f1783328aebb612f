import { inspect } from "node:util";
import { createClientMechanism, createServerMechanism, SaslError, Secret, serverMechanismNames } from "@smtpkit/smtp-sasl";
import { describe, expect, test } from "vitest";
import { accountVerifiers } from "./serve/accounts.js";

const accounts = [
  { name: "ann", password: new Secret("correct horse") },
  { name: "bob", password: new Secret("p\u00e4ss:word") },
];
const context = { mechanism: "PLAIN", channel: { encrypted: true } };

/** One SASL exchange between smtp-sasl's client and server mechanisms, as AUTH would run it. */
async function exchange(mechanism: string, username: string, password: string): Promise<string> {
  const verifiers = await accountVerifiers(accounts);
  const channel = { encrypted: true };
  const server = createServerMechanism(mechanism, verifiers, channel);
  const client = createClientMechanism(mechanism, { username, password }, channel);
  let step = await server.next((await client.start()).initialResponse);
  while (!step.done) step = await server.next(await client.next(step.challenge));
  if (step.additionalData !== undefined) await client.next(step.additionalData);
  await client.finish?.();
  return step.identity.username;
}

describe("--user accounts as smtp-sasl verifiers", () => {
  test("every password mechanism smtp-sasl serves is offered", async () => {
    const names = serverMechanismNames(await accountVerifiers(accounts), { encrypted: true });
    for (const m of ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]) expect(names).toContain(m);
  });

  test("verifyPassword: the right password only, for a known user only", async () => {
    const v = await accountVerifiers(accounts);
    expect(await v.verifyPassword?.("ann", new Secret("correct horse"), context)).toBe(true);
    expect(await v.verifyPassword?.("ann", new Secret("correct horsE"), context)).toBe(false);
    expect(await v.verifyPassword?.("bob", new Secret("correct horse"), context)).toBe(false);
    expect(await v.verifyPassword?.("nobody", new Secret("correct horse"), context)).toBe(false);
  });

  test.each(["SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN"])("%s exchange with the right password succeeds", async (mechanism) => {
    expect(await exchange(mechanism, "bob", "p\u00e4ss:word")).toBe("bob");
  });

  test.each(["SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5", "PLAIN"])("%s exchange with a wrong password or user fails with bad-credentials", async (mechanism) => {
    for (const [user, password] of [
      ["ann", "wrong"],
      ["nobody", "correct horse"],
    ] as const) {
      const error = await exchange(mechanism, user, password).catch((e: unknown) => e);
      expect(SaslError.isInstance(error)).toBe(true);
      expect((error as SaslError).code).toBe("bad-credentials");
    }
  });

  test("SCRAM keys are salted per account and never the password", async () => {
    const v = await accountVerifiers(accounts);
    const ann = await v.lookupScramCredentials?.("ann", "SHA-256", context);
    const bob = await v.lookupScramCredentials?.("bob", "SHA-256", context);
    expect(ann?.iterations).toBeGreaterThanOrEqual(4096);
    expect(Buffer.from(ann?.salt ?? []).equals(Buffer.from(bob?.salt ?? []))).toBe(false);
    expect(await v.lookupScramCredentials?.("nobody", "SHA-1", context)).toBeUndefined();
    expect(inspect(ann, { depth: 5 })).not.toContain("correct horse");
  });
});
