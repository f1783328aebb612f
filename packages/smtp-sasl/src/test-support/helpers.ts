/** Test-only helpers shared by the mechanism tests. */
import { expect, test } from "vitest";
import { type OAuthError, SaslError, type SaslErrorCode } from "../errors.js";
import { createServerMechanism } from "../server.js";
import type { ChannelInfo, ClientMechanism } from "../types.js";
import type { ServerVerifiers, TokenContext } from "../verifiers.js";

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
export const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));
export const EMPTY = new Uint8Array(0);

export const TLS: ChannelInfo = { encrypted: true };
export const CLEAR: ChannelInfo = { encrypted: false };

/** Awaits `run` and checks that it rejects (or throws) with a SaslError of `code`; returns the error. */
export async function expectSaslError(run: Promise<unknown> | (() => unknown), code: SaslErrorCode): Promise<SaslError> {
  let thrown: unknown;
  try {
    await (typeof run === "function" ? run() : run);
  } catch (error) {
    thrown = error;
  }
  expect(SaslError.isInstance(thrown), `expected SaslError(${code}), got ${String(thrown)}`).toBe(true);
  expect((thrown as SaslError).code).toBe(code);
  return thrown as SaslError;
}

/** `client.finish(data)`, which every mechanism of this package has. */
export function finish(client: ClientMechanism, additionalData?: Uint8Array): Promise<void> {
  if (client.finish === undefined) throw new Error(`${client.name} has no finish()`);
  return client.finish(additionalData);
}

/**
 * A `verifyToken` that accepts the tokens of `valid` (user name → token), refuses any other with
 * `error`, and records every call.
 */
export function tokenVerifiers(valid: Record<string, string>, error: OAuthError) {
  const calls: { username: string; token: string; context: TokenContext }[] = [];
  const verifiers: ServerVerifiers = {
    async verifyToken(username, token, context) {
      calls.push({ username, token: token.reveal(), context });
      if (valid[username] !== undefined && token.equals(valid[username])) return true;
      return { error };
    },
  };
  return { verifiers, calls };
}

/** One test a row: the server mechanism refuses `message` (as latin1 octets) as malformed. */
export function testMalformed(mechanism: string, verifiers: ServerVerifiers, rows: readonly (readonly [what: string, message: string])[]): void {
  for (const [what, message] of rows) {
    test(what, async () => {
      await expectSaslError(createServerMechanism(mechanism, verifiers, TLS).next(latin1(message)), "malformed");
    });
  }
}
