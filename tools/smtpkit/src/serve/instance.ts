/**
 * One running `smtpkit serve` server in this process: the smtp-server-core server with the
 * recipient policy, the store and AUTH wired in. `--workers` runs one of these in each worker.
 */
import type { AddressInfo } from "node:net";
import os from "node:os";
import type { ServerVerifiers } from "@smtpkit/smtp-sasl";
import { createServer, type Hooks, type Logger, type ServerOptions, SmtpReplyError } from "@smtpkit/smtp-server-core";
import { accountVerifiers } from "./accounts.js";
import { maildirDelivery } from "./delivery.js";
import { MaildirStore } from "./maildir.js";
import type { ServeConfig } from "./options.js";
import { RELAY_DENIED, recipientPolicy } from "./policy.js";
import type { Pem } from "./tls.js";

export interface Instance {
  /** The bound listeners: `config.listen` first, then `config.tlsListen`, each in order. */
  readonly addresses: readonly AddressInfo[];
  /** Graceful shutdown (see smtp-server-core's `close`). */
  close(): Promise<void>;
}

/** Time given to transactions in flight at shutdown before connections are cut. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/** The smtp-server-core options for `config`. */
export function serverOptions(config: ServeConfig, pem: Pem | undefined, logger: Logger): ServerOptions {
  const limits = {
    ...(config.maxSize === undefined ? {} : { maxMessageSize: config.maxSize }),
    ...(config.maxRecipients === undefined ? {} : { maxRecipients: config.maxRecipients }),
    ...(config.maxConnections === undefined ? {} : { maxConnections: config.maxConnections }),
    ...(config.maxConnectionsPerAddress === undefined ? {} : { maxConnectionsPerAddress: config.maxConnectionsPerAddress }),
  };
  return {
    hostname: config.hostname,
    listen: [
      ...config.listen.map((e) => ({ host: e.host, port: e.port })),
      ...config.tlsListen.map((e) => ({ host: e.host, port: e.port, tls: "implicit" as const })),
    ],
    ...(pem === undefined ? {} : { tls: { cert: pem.cert, key: pem.key } }),
    lmtp: config.lmtp,
    auth: { required: config.requireAuth, allowInsecure: config.allowInsecureAuth },
    limits,
    ...(config.proxyProtocolFrom.length === 0 ? {} : { proxyProtocol: { trustedFrom: config.proxyProtocolFrom } }),
    logger,
  };
}

/**
 * The hooks for `config`: recipient policy, AUTH verifiers when there are accounts (derived here
 * unless given), the store (none for `--discard`).
 */
export async function serverHooks(config: ServeConfig, logger: Logger, verifiers?: ServerVerifiers): Promise<Hooks> {
  const allowed = recipientPolicy(config.domains);
  const hooks: Hooks = {
    onRcptTo(to) {
      if (!allowed(to)) throw new SmtpReplyError(RELAY_DENIED);
    },
  };
  if (config.users.length > 0) hooks.onAuth = verifiers ?? (await accountVerifiers(config.users));
  // --discard sets no onData: the server still reads each message to its real end and checks it
  // (size, bare line endings) but makes no stream for it, which is what a discard sink wants.
  if (config.storage.kind !== "discard") {
    const store = new MaildirStore({ root: config.storage.dir, host: os.hostname() });
    hooks.onData = maildirDelivery({
      store,
      hostname: config.hostname,
      onStored: (copies, session) => logger.info({ session: session.id, files: copies.map((c) => c.file) }, "stored"),
    });
  }
  return hooks;
}

/** Create the server and open its listeners. */
export async function startInstance(config: ServeConfig, pem: Pem | undefined, logger: Logger, verifiers?: ServerVerifiers): Promise<Instance> {
  const server = createServer(serverOptions(config, pem, logger), await serverHooks(config, logger, verifiers));
  const addresses = await server.listen();
  return { addresses, close: () => server.close({ deadline: SHUTDOWN_DEADLINE_MS }) };
}
