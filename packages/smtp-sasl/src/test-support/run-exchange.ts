/**
 * Test-only: run a client mechanism against a server mechanism in memory, the way a transport
 * would — initial response or not, each challenge to the client, each response to the server, and
 * `finish()` on success. Not exported from the package.
 */
import type { AuthIdentity, ClientMechanism, ServerMechanism } from "../types.js";

export interface Transcript {
  readonly from: "C" | "S";
  readonly data: Uint8Array;
}

export interface ExchangeOptions {
  /** Send the client's initial response with AUTH (default true). */
  readonly initialResponse?: boolean;
  /** Give up after this many server steps (default 10). */
  readonly maxSteps?: number;
}

/** Runs the exchange to its end; resolves with the identity or rejects with the first error. */
export async function runExchange(
  client: ClientMechanism,
  server: ServerMechanism,
  options: ExchangeOptions = {},
  transcript: Transcript[] = [],
): Promise<AuthIdentity> {
  const { initialResponse } = await client.start();
  const sendIr = options.initialResponse !== false && initialResponse !== undefined;
  if (sendIr) transcript.push({ from: "C", data: initialResponse });
  let step = await server.next(sendIr ? initialResponse : undefined);
  for (let n = 1; !step.done; n++) {
    if (n > (options.maxSteps ?? 10)) throw new Error("exchange did not end");
    transcript.push({ from: "S", data: step.challenge });
    const response = await client.next(step.challenge);
    transcript.push({ from: "C", data: response });
    step = await server.next(response);
  }
  await client.finish?.(step.additionalData);
  return step.identity;
}
