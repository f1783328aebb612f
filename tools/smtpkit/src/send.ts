/**
 * `smtpkit send`: one message, on `@smtpkit/smtp-client`, to a server (`--server`) or straight to
 * each recipient domain's MX hosts (`deliver()`). See `smtpkit send --help` and the README.
 *
 * Exit codes (issue 6): 0 every recipient accepted; 2 any rejected permanently; 3 a temporary
 * failure; 1 a usage error (the other verbs use 64 for that; the issue that specifies `send`
 * asks for 1).
 */
import { readFile } from "node:fs/promises";
import { type ConnectOptions, connect, type DeliverOptions, deliver, SmtpClientError, type TlsOptions } from "@smtpkit/smtp-client";
import { localName, type MessageSource, openMessage, type Stdin } from "./send/message.js";
import { parseSendArgs, SEND_USAGE, type SendConfig, SendUsageError } from "./send/options.js";
import { deliveryOutcome, failedOutcome, resultOutcome } from "./send/outcome.js";
import { exitCode, type Outcome, outcomeJson, outcomeText } from "./send/output.js";
import { EXIT, type Io } from "./verb.js";

/** Exit code for a bad command line: 1, as issue 6 specifies for `send`. */
const EXIT_SEND_USAGE = 1;

/** How long direct delivery waits for an MTA-STS policy file (the library's default is RFC 8461's minute). */
const STS_FETCH_TIMEOUT = 15_000;

/** One line for `smtpkit --help`. */
export const summary = "send a message to a server, or directly to the recipients' MX hosts";

/** `smtpkit send --help`. */
export const usage = SEND_USAGE;

export interface SendIo extends Io {
  /** Resolves a relative `--data` and `--ca`; default `process.cwd()`. */
  readonly cwd?: string;
  /** Standard input; default `process.stdin`. */
  readonly stdin?: Stdin;
}

/** The verb's entry point for the dispatcher (`main.ts`). */
export function run(args: readonly string[], io: Io): Promise<number> {
  return send(args, io);
}

async function tlsOptions(config: SendConfig): Promise<TlsOptions | undefined> {
  if (config.ca === undefined && !config.insecure) return undefined;
  let ca: string | undefined;
  if (config.ca !== undefined) {
    try {
      ca = await readFile(config.ca, "utf8");
    } catch (error) {
      throw new SendUsageError(`--ca: cannot read ${config.ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new SendUsageError(`--ca: no PEM certificate in ${config.ca}`);
  }
  return { ...(ca === undefined ? {} : { ca }), ...(config.insecure ? { insecure: true } : {}) };
}

/** Read a streamed message whole: direct delivery may send it to several hosts in turn. */
async function wholeMessage(message: MessageSource["message"]): Promise<string | Buffer> {
  if (typeof message === "string") return message;
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function toServer(config: SendConfig & { server: NonNullable<SendConfig["server"]> }, source: MessageSource, tls: TlsOptions | undefined): Promise<Outcome> {
  const auth = config.auth;
  const options: ConnectOptions = {
    host: config.server.host,
    port: config.server.port,
    tls: config.tls,
    name: config.helo ?? localName(),
    lmtp: config.lmtp,
    ...(tls === undefined ? {} : { tlsOptions: tls }),
    ...(auth === undefined
      ? {}
      : {
          auth: {
            username: auth.user,
            password: auth.password,
            ...(auth.mechanism === undefined ? {} : { mechanism: auth.mechanism }),
            // A plaintext mechanism over cleartext only when the user named it and turned TLS off.
            ...(auth.mechanism !== undefined && config.tls === "none" ? { allowPlaintext: true } : {}),
          },
        }),
  };
  let connection: Awaited<ReturnType<typeof connect>>;
  try {
    connection = await connect(options);
  } catch (error) {
    if (!SmtpClientError.isInstance(error)) throw error;
    return failedOutcome(config.to, error);
  }
  try {
    const result = await connection.send({
      from: config.from,
      to: config.to,
      message: source.message,
      ...(source.size === undefined ? {} : { size: source.size }),
      ...(Object.keys(config.dsn).length === 0 ? {} : { dsn: config.dsn }),
    });
    // The message has been answered; a failing QUIT changes nothing about that.
    await connection.quit().catch(() => undefined);
    return resultOutcome(result);
  } catch (error) {
    connection.close();
    if (!SmtpClientError.isInstance(error)) throw error;
    return failedOutcome(config.to, error);
  }
}

async function toMx(config: SendConfig, source: MessageSource, tls: TlsOptions | undefined): Promise<Outcome> {
  const options: DeliverOptions = {
    from: config.from,
    to: config.to,
    name: config.helo ?? localName(),
    // The parser refuses --tls implicit without --server; MX hosts take STARTTLS on port 25.
    tls: config.tls === "implicit" ? "required" : config.tls,
    ...(config.mxPort === undefined ? {} : { port: config.mxPort }),
    ...(tls === undefined ? {} : { tlsOptions: tls }),
    ...(Object.keys(config.dsn).length === 0 ? {} : { dsn: config.dsn }),
    resolve: {
      ...(config.dns.length > 0 ? { servers: config.dns } : {}),
      ...(config.allow.length > 0 ? { allowAddresses: config.allow } : {}),
      mtaSts: { timeout: STS_FETCH_TIMEOUT },
    },
  };
  try {
    // A file is read again for each host; standard input can be read once only, so it is kept whole.
    const message = source.reopen ?? (await wholeMessage(source.message));
    return deliveryOutcome(await deliver(message, options));
  } catch (error) {
    if (!SmtpClientError.isInstance(error)) throw error;
    return failedOutcome(config.to, error);
  }
}

/** Send one message as the arguments say; resolves with the exit code. */
export async function send(argv: readonly string[], io: SendIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let config: SendConfig | "help";
  let source: MessageSource;
  let tls: TlsOptions | undefined;
  try {
    config = parseSendArgs(argv, cwd);
    if (config === "help") {
      io.stdout(`${SEND_USAGE}\n`);
      return EXIT.ok;
    }
    tls = await tlsOptions(config);
    source = await openMessage(config.data, io.stdin ?? process.stdin, { from: config.from, to: config.to, name: config.helo ?? localName() });
  } catch (error) {
    if (!(error instanceof SendUsageError)) throw error;
    io.stderr(`smtpkit send: ${error.message}\n`);
    return EXIT_SEND_USAGE;
  }
  try {
    const outcome = config.server === undefined ? await toMx(config, source, tls) : await toServer({ ...config, server: config.server }, source, tls);
    io.stdout(config.json ? `${JSON.stringify(outcomeJson(outcome))}\n` : outcomeText(outcome));
    return exitCode(outcome);
  } finally {
    await source.close();
  }
}
