/** Test-only helpers shared by the mechanism tests. */
import { expect } from "vitest";
import { SaslError, type SaslErrorCode } from "../errors.js";
import type { ChannelInfo, ClientMechanism } from "../types.js";

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
