/**
 * The pool's rate limit end to end against smtp-server-core on 127.0.0.1. Time is an injected clock
 * that only the test moves, so the assertions are about order and counts, never about elapsed time.
 */
import type { Readable } from "node:stream";
import { createServer, type Session } from "@smtpkit/smtp-server-core";
import { afterEach, describe, expect, test } from "vitest";
import { createPool } from "./pool.js";
import type { Pool } from "./types.js";

const servers: { close(o: { deadline: number }): Promise<void> }[] = [];
const pools: Pool[] = [];
const aborts: AbortController[] = [];
afterEach(async () => {
  // A failed test must not leave sends polling the limiter: abort them, then close pool and servers.
  for (const a of aborts.splice(0)) a.abort(new Error("test over"));
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close({ deadline: 200 })));
});

/** Poll `ready` until it holds; bounded, so a broken pool fails the test instead of hanging it. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("pool: shared rate limit, end to end", () => {
  test("no more than rateLimit transactions start per window across all connections; all are delivered", async () => {
    const RATE = 2;
    // The window is in the injected clock's ms; a waiting send sleeps at most this long (real ms)
    // before it asks the clock again, so it is kept small.
    const WINDOW = 50;
    const MAX_CONNECTIONS = 3;
    const COUNT = 7;
    let clock = 1_000;
    const starts: { at: number; session: string }[] = [];
    const stored: string[] = [];
    const server = createServer(
      { hostname: "mx.test", listen: [{ host: "127.0.0.1", port: 0 }] },
      {
        onMailFrom(_from, _params, session: Session) {
          starts.push({ at: clock, session: session.id });
        },
        onRcptTo() {},
        async onData(message: Readable, session: Session) {
          for await (const _ of message);
          stored.push(session.envelope?.rcptTo[0]?.address ?? "");
        },
      },
    );
    servers.push(server);
    const [addr] = await server.listen();
    const port = (addr as { port: number }).port;

    const pool = createPool({
      host: "127.0.0.1",
      port,
      tls: "none",
      maxConnections: MAX_CONNECTIONS,
      rateLimit: RATE,
      rateWindow: WINDOW,
      now: () => clock,
    });
    pools.push(pool);
    const sending = Promise.all(
      Array.from({ length: COUNT }, (_, i) => {
        // One controller a send: the limiter adds an abort listener for each sleep.
        const abort = new AbortController();
        aborts.push(abort);
        return pool.send({ from: "a@x.test", to: `r${i}@y.test`, message: `Subject: ${i}\r\n\r\nx\r\n`, signal: abort.signal });
      }),
    );

    // While the clock stands still, exactly RATE transactions may start: the rest wait for the
    // clock, however long they wait in real time. Then the test moves the clock one window on.
    for (let admitted = RATE; ; admitted += RATE) {
      const expected = Math.min(admitted, COUNT);
      await until(() => starts.length >= expected, `${expected} transactions`);
      expect(starts.length).toBe(expected);
      if (expected === COUNT) break;
      clock += WINDOW;
    }
    const results = await sending;

    expect(results.every((r) => r.accepted.length === 1)).toBe(true);
    expect(stored.sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `r${i}@y.test`).sort());
    // Sliding window: from each start, the starts within the next WINDOW ms number at most RATE.
    for (const s of starts) {
      expect(starts.filter((o) => o.at >= s.at && o.at < s.at + WINDOW).length).toBeLessThanOrEqual(RATE);
    }
    // The limit is shared: the starts were spread over more than one connection, never more than the maximum.
    const sessions = new Set(starts.map((s) => s.session));
    expect(sessions.size).toBeGreaterThan(1);
    expect(sessions.size).toBeLessThanOrEqual(MAX_CONNECTIONS);
  });
});
