/**
 * AUTH for the `--user NAME:PASSWORD` accounts, as smtp-sasl server verifiers, so every mechanism
 * smtp-sasl serves with passwords is offered: PLAIN and LOGIN (checked in constant time),
 * CRAM-MD5 (which needs the password itself, RFC 2195), and SCRAM-SHA-1 / SCRAM-SHA-256
 * (RFC 5802, RFC 7677) from salted keys derived once at start-up with a random salt, so that no
 * login pays for PBKDF2 twice and the SCRAM exchange never sees the password.
 */
import { deriveScramCredentials, type ScramCredentials, Secret, type ServerVerifiers } from "@smtpkit/smtp-sasl";
import { type Account, ServeUsageError } from "./options.js";

type ScramHash = "SHA-1" | "SHA-256";

interface Entry {
  readonly password: Secret;
  readonly scram: Readonly<Record<ScramHash, ScramCredentials>>;
}

/** A password nobody has, compared against for unknown users so that they cost the same time. */
const NOBODY = new Secret("\u0000no such user\u0000");

export async function accountVerifiers(accounts: readonly Account[]): Promise<ServerVerifiers> {
  const table = new Map<string, Entry>();
  for (const account of accounts) {
    let scram: Record<ScramHash, ScramCredentials>;
    try {
      scram = {
        "SHA-1": await deriveScramCredentials(account.password, { hash: "SHA-1" }),
        "SHA-256": await deriveScramCredentials(account.password, { hash: "SHA-256" }),
      };
    } catch (error) {
      // smtp-sasl's errors never carry the password; say which account.
      throw new ServeUsageError(`--user ${JSON.stringify(account.name)}: cannot derive SCRAM keys (${(error as Error).message})`);
    }
    table.set(account.name, { password: account.password, scram });
  }
  return {
    async verifyPassword(username, password) {
      const entry = table.get(username);
      const ok = (entry?.password ?? NOBODY).equals(password);
      return ok && entry !== undefined;
    },
    async lookupPassword(username) {
      return table.get(username)?.password;
    },
    async lookupScramCredentials(username, hash) {
      return table.get(username)?.scram[hash];
    },
  };
}
