/** smtpkit's own client, as the checks that need a correct client (not scripted bytes) use it. */
import { connect as netConnect } from "node:net";
import { type Connection, connect, type TlsMode } from "@smtpkit/smtp-client";
import type { CheckContext } from "../types.js";

/**
 * An smtp-client connection to the target: its socket counted against the probe's budget, the check's
 * signal and reply timeout for every phase, and no certificate verdict (security.tls-certificate
 * judges the certificate; here it must not stop the session).
 */
export function clientConnect(ctx: CheckContext, tls: TlsMode): Promise<Connection> {
  const o = ctx.options;
  const t = o.replyTimeout;
  return connect({
    host: o.host,
    port: o.port,
    tls,
    name: o.helo,
    tlsOptions: { insecure: true, ...(o.servername === undefined ? {} : { servername: o.servername }) },
    timeouts: { connect: t, greeting: t, command: t, mail: t, rcpt: t, dataInit: t, dataBlock: t, dataEnd: t, quit: t },
    signal: ctx.signal,
    socket: ({ host, port }) => {
      ctx.takeConnection();
      return netConnect({ host, port });
    },
  });
}
