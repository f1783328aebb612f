/**
 * The smtp-client side of the client benchmark. Case (a): one `connect()`, every message handed to
 * that connection at once (all `send()` calls started, then `Promise.all`), as Nodemailer's pool of
 * one queues them; the connection sends them in turn and, with PIPELINING and DATA, writes each
 * message's dot together with the next message's MAIL, RCPT and DATA (RFC 2920 §3.1). Case (b): `createPool` with
 * `maxConnections: 8`, every message handed to the pool at once, as on the Nodemailer side.
 */
import { connect, createPool } from "@smtpkit/smtp-client";
import type { ClientLoad, ClientSide } from "./client-load.js";

const NAME = "client.bench.test";

export const smtpClientSide: ClientSide = {
  name: "smtp-client",
  async run(load: ClientLoad): Promise<number> {
    const input = { from: load.from, to: load.to, message: load.message };
    let accepted = 0;
    if (load.connections === 1) {
      const connection = await connect({ host: "127.0.0.1", port: load.port, tls: "none", name: NAME });
      try {
        const results = await Promise.all(Array.from({ length: load.messages }, () => connection.send(input)));
        for (const r of results) accepted += r.accepted.length;
      } finally {
        await connection.quit();
      }
    } else {
      const pool = createPool({
        host: "127.0.0.1",
        port: load.port,
        tls: "none",
        name: NAME,
        maxConnections: load.connections,
        // No connection is replaced during a run: each could send every message.
        maxMessages: load.messages,
      });
      try {
        const results = await Promise.all(Array.from({ length: load.messages }, () => pool.send(input)));
        for (const r of results) accepted += r.accepted.length;
      } finally {
        await pool.close();
      }
    }
    if (accepted !== load.messages) throw new Error(`bench: smtp-client: ${accepted} of ${load.messages} messages accepted`);
    return accepted;
  },
};
