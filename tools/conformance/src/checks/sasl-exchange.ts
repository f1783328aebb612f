/** One SMTP AUTH exchange (RFC 4954 §4) driven by an smtp-sasl client mechanism, over a probe session. */
import { decodeBase64, encodeBase64 } from "@smtpkit/smtp-codec";
import type { ClientMechanism } from "@smtpkit/smtp-sasl";
import type { ProbeSession } from "../session.js";
import type { ProbeReply } from "../types.js";

/** Challenge/response rounds per attempt (SCRAM needs two). */
const MAX_ROUNDS = 4;

/**
 * One AUTH exchange with `mech`; resolves with the final reply and how long it took after the last
 * response. With `secret` (real credentials) the transcript shows placeholders, never the responses.
 */
export async function attempt(s: ProbeSession, mech: ClientMechanism, secret = false): Promise<{ reply: ProbeReply; ms: number }> {
  const send = (line: string, shown: string): void => (secret ? s.sendSecret(line, shown) : s.send(line));
  const first = await mech.start();
  const initial = first.initialResponse;
  const authLine = initial === undefined ? `AUTH ${mech.name}` : `AUTH ${mech.name} ${initial.length === 0 ? "=" : encodeBase64(initial)}`;
  send(authLine, initial === undefined ? authLine : `AUTH ${mech.name} [initial response not shown]`);
  let started = Date.now();
  let r = await s.read();
  for (let round = 0; r.code === 334 && round < MAX_ROUNDS; round++) {
    let answer: string;
    try {
      const challenge = decodeBase64((r.raw[0] ?? "").slice(4).trim());
      answer = encodeBase64(await mech.next(challenge));
    } catch {
      // A challenge the mechanism cannot answer: cancel the exchange (RFC 4954 §4).
      answer = "*";
    }
    send(answer, answer === "*" ? "*" : "[response not shown]");
    started = Date.now();
    r = await s.read();
  }
  if (r.code === 334) {
    s.send("*");
    started = Date.now();
    r = await s.read();
  }
  return { reply: r, ms: Date.now() - started };
}
