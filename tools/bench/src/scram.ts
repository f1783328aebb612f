/**
 * (s) SCRAM-SHA-256 server verification, verifications/s: the whole server side of one exchange —
 * client-first in, lookup, server-first out; client-final in, channel binding, nonce and proof
 * checked, server-final out; the empty acknowledgement in, identity out — through
 * `@smtpkit/smtp-sasl`'s `createServerMechanism`, one exchange after another.
 *
 * Two ways the server gets the keys, measured side by side at each iteration count:
 * - stored keys: `lookupScramCredentials` returns StoredKey/ServerKey made once by
 *   `deriveScramCredentials`. Verifying costs a few HMACs and no PBKDF2, so the iteration count
 *   should not show: it costs the client (and the one-time derivation), not the server.
 * - from the password: `lookupPassword` returns the plaintext and the server runs PBKDF2 with
 *   `scramIterations` on every exchange (async `crypto.pbkdf2`, on the libuv thread pool). This
 *   is where the iteration count shows.
 *
 * The client's messages are computed once per side (fixed nonces make them the same every
 * time), so the client's own PBKDF2 is not timed. No socket, no base64 framing.
 */
import { createClientMechanism, createServerMechanism, deriveScramCredentials, Secret, type ServerVerifiers } from "@smtpkit/smtp-sasl";
import type { Contender } from "./harness.js";

const USER = "bench-user@example.org";
const PASSWORD = "correct horse battery staple";
const CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
const SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const CHANNEL = { encrypted: true } as const;

export interface ScramBench {
  readonly iterations: number;
  /** Verification against StoredKey/ServerKey from `lookupScramCredentials`. */
  readonly storedKeys: Contender;
  /** Verification with PBKDF2 on the server, from `lookupPassword`. */
  readonly fromPassword: Contender;
}

/** One server exchange over `messages`; throws unless it ends with the bench user's identity. */
async function verify(verifiers: ServerVerifiers, iterations: number, messages: readonly Uint8Array[]): Promise<number> {
  const server = createServerMechanism("SCRAM-SHA-256", verifiers, CHANNEL, { nonce: () => SERVER_NONCE, scramIterations: iterations });
  let step = await server.next(messages[0]);
  for (const message of messages.slice(1)) {
    if (step.done) break;
    step = await server.next(message);
  }
  if (!step.done || step.identity.username !== USER) throw new Error("SCRAM bench: the exchange did not end with the user's identity");
  return step.identity.username.length;
}

/** The client's messages of one exchange against these verifiers, run once with the real client. */
async function clientMessages(verifiers: ServerVerifiers, iterations: number): Promise<Uint8Array[]> {
  const client = createClientMechanism("SCRAM-SHA-256", { username: USER, password: PASSWORD }, CHANNEL, {
    nonce: () => CLIENT_NONCE,
    minIterations: Math.min(iterations, 4096),
  });
  const server = createServerMechanism("SCRAM-SHA-256", verifiers, CHANNEL, { nonce: () => SERVER_NONCE, scramIterations: iterations });
  const { initialResponse } = await client.start();
  if (initialResponse === undefined) throw new Error("SCRAM bench: no client-first");
  const messages = [initialResponse];
  let step = await server.next(initialResponse);
  while (!step.done) {
    const response = await client.next(step.challenge);
    messages.push(response);
    step = await server.next(response);
  }
  // The client checked the server signature on the way; finish() confirms it did.
  await client.finish?.();
  if (messages.length !== 3 || messages[2]?.length !== 0) throw new Error("SCRAM bench: unexpected exchange shape");
  return messages;
}

function contender(name: string, verifiers: ServerVerifiers, iterations: number, messages: readonly Uint8Array[]): Contender {
  return {
    name,
    async run(n) {
      let check = 0;
      for (let k = 0; k < n; k++) check += await verify(verifiers, iterations, messages);
      return check;
    },
  };
}

/** Build both sides for `iterations`, after one checked exchange each with the real client. */
export async function scramBench(iterations: number): Promise<ScramBench> {
  const salt = new Uint8Array(16).fill(0x5a);
  const credentials = await deriveScramCredentials(PASSWORD, { hash: "SHA-256", iterations, salt });
  const stored: ServerVerifiers = {
    lookupScramCredentials: async (username, hash) => (username === USER && hash === "SHA-256" ? credentials : undefined),
  };
  const password: ServerVerifiers = {
    lookupPassword: async (username) => (username === USER ? new Secret(PASSWORD) : undefined),
  };
  const storedMessages = await clientMessages(stored, iterations);
  const passwordMessages = await clientMessages(password, iterations);
  // Also the replayed messages must verify, as the timed runs replay them.
  await verify(stored, iterations, storedMessages);
  await verify(password, iterations, passwordMessages);
  return {
    iterations,
    storedKeys: contender(`stored keys, i=${iterations}`, stored, iterations, storedMessages),
    fromPassword: contender(`from password, i=${iterations}`, password, iterations, passwordMessages),
  };
}

/** The iteration counts measured: RFC 7677's minimum, and a common stronger setting. */
export const SCRAM_ITERATIONS = [4096, 10000] as const;
