/**
 * The Nodemailer side of the client benchmark: `nodemailer.createTransport` with its pooled SMTP
 * transport, the raw message handed over as it is (`raw`, with an explicit envelope), so Nodemailer
 * does no MIME building that smtp-client would not do either.
 *
 * Case (a), one connection: `pool: true, maxConnections: 1`. Nodemailer's unpooled transport opens
 * a new connection for every `sendMail`, so the pool with one connection is the only way it sends
 * many messages over one connection. Case (b): `pool: true, maxConnections: 8`. Both with
 * `maxMessages` as many as the run sends, so no connection is replaced during a run, as on the
 * smtp-client side.
 */
import nodemailer from "nodemailer";
import type { ClientLoad, ClientSide } from "./client-load.js";

export const nodemailerSide: ClientSide = {
  name: "nodemailer",
  async run(load: ClientLoad): Promise<number> {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: load.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: load.connections,
      maxMessages: load.messages,
      name: "client.bench.test",
      logger: false,
    });
    try {
      const envelope = { from: load.from, to: [load.to] };
      let accepted = 0;
      await Promise.all(
        Array.from({ length: load.messages }, async () => {
          const info = await transport.sendMail({ envelope, raw: load.message });
          accepted += info.accepted.length;
        }),
      );
      if (accepted !== load.messages) throw new Error(`bench: nodemailer: ${accepted} of ${load.messages} messages accepted`);
      return accepted;
    } finally {
      transport.close();
    }
  },
};
