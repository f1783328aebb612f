/**
 * `smtpkit serve`: a ready-to-run mail server on smtp-server-core that stores what it accepts as
 * Maildir (or drops it with `--discard`). See `smtpkit serve --help` and the README.
 *
 * Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), 1 on a failure while running (a port
 * in use, a worker that cannot start), 2 for a bad command line or an unusable certificate.
 */
import type { ServerVerifiers } from "@smtpkit/smtp-sasl";
import { accountVerifiers } from "./serve/accounts.js";
import { startInstance } from "./serve/instance.js";
import { lineLogger } from "./serve/log.js";
import { formatEndpoint, parseServeArgs, SERVE_USAGE, type ServeConfig, ServeUsageError } from "./serve/options.js";
import { runPrimary } from "./serve/primary.js";
import { shutdownSignals } from "./serve/signals.js";
import { loadTls, type Pem } from "./serve/tls.js";
import { EXIT, type Io } from "./verb.js";

/**
 * Exit code for a bad command line or an unusable certificate: 2, as issue 5 specifies for
 * `serve`, where the other verbs use EXIT.usage (64).
 */
const EXIT_SERVE_USAGE = 2;

/** One line for `smtpkit --help`. */
export const summary = "run a mail server that stores what it receives as Maildir";

/** `smtpkit serve --help`. */
export const usage = SERVE_USAGE;

export interface ServeIo extends Io {
  /** Resolves a relative `--maildir`, `--cert`, `--key`; default `process.cwd()`. */
  readonly cwd?: string;
}

/** The verb's entry point for the dispatcher (`main.ts`). */
export function run(args: readonly string[], io: Io): Promise<number> {
  return serve(args, io);
}

/** Run the server until SIGTERM/SIGINT; resolves with the exit code. */
export async function serve(argv: readonly string[], io: ServeIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let config: ServeConfig | "help";
  let pem: Pem | undefined;
  let verifiers: ServerVerifiers | undefined;
  try {
    config = parseServeArgs(argv, cwd);
    if (config === "help") {
      io.stdout(`${SERVE_USAGE}\n`);
      return EXIT.ok;
    }
    if (config.tls !== undefined) pem = await loadTls(config.tls, config.hostname);
    // Derived here, before any socket is opened, so that an account that cannot be set up is a
    // command-line error (exit 2) rather than a failure at the first login.
    if (config.users.length > 0) verifiers = await accountVerifiers(config.users);
  } catch (error) {
    if (!(error instanceof ServeUsageError)) throw error;
    io.stderr(`smtpkit serve: ${error.message}\n`);
    return EXIT_SERVE_USAGE;
  }
  if (config.workers > 1) return runPrimary(argv, cwd, config.workers, pem, io);
  return runSingle(config, pem, verifiers, io);
}

async function runSingle(config: ServeConfig, pem: Pem | undefined, verifiers: ServerVerifiers | undefined, io: ServeIo): Promise<number> {
  const signals = shutdownSignals(() => {
    io.stderr("smtpkit serve: second signal, stopping at once\n");
    process.exit(1);
  });
  try {
    let instance: Awaited<ReturnType<typeof startInstance>>;
    try {
      instance = await startInstance(config, pem, lineLogger(config.verbose, io.stderr), verifiers);
    } catch (error) {
      io.stderr(`smtpkit serve: ${(error as Error).message}\n`);
      return EXIT.internal;
    }
    for (const a of instance.addresses) io.stdout(`smtpkit listening on ${formatEndpoint({ host: a.address, port: a.port })}\n`);
    await signals.first;
    await instance.close();
    return EXIT.ok;
  } finally {
    signals.dispose();
  }
}
