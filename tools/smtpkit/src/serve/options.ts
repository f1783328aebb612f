/**
 * The command line of `smtpkit serve`, parsed and checked into a `ServeConfig`. Pure: no file is
 * read and no socket opened here (certificates are loaded by `tls.ts`), so every rule is tested
 * without side effects. A bad command line throws `ServeUsageError`, which the CLI turns into one
 * line on stderr and exit code 2.
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { isDomain } from "@smtpkit/smtp-codec";
import { parseCidr } from "@smtpkit/smtp-server-core";
import { Secret } from "@smtpkit/smtp-sasl";

export const SERVE_USAGE = `usage: smtpkit serve [options]

A mail server for development and tests: accepts mail and stores it as Maildir.

  --listen HOST:PORT            plain SMTP listener, STARTTLS offered when a certificate is set;
                                repeatable; default 127.0.0.1:2525 when no listener is given.
                                Port 0 takes a free port (the real one is printed)
  --tls-listen HOST:PORT        implicit-TLS listener (port 465 style, RFC 8314); repeatable
  --cert FILE --key FILE        certificate chain and private key, PEM
  --self-signed                 make a certificate in memory at start-up (for tests)
  --maildir DIR                 store each message once per recipient in DIR/<address>/new/
                                (default ./var/mail)
  --discard                     accept messages and drop them (benchmarks)
  --hostname NAME               name in the greeting and Received: fields (default: this host's name)
  --user NAME:PASSWORD          an account for AUTH (PLAIN, LOGIN, SCRAM-SHA-1, SCRAM-SHA-256, …);
                                repeatable; AUTH is offered only when one is given
  --require-auth                MAIL needs an authenticated session (530 5.7.0 otherwise)
  --allow-insecure-auth         allow plaintext AUTH mechanisms without TLS
  --domains a.test,b.test       accept recipients only in these domains (others: 550 5.7.1);
                                <Postmaster> is always accepted. Default: every recipient
  --max-size BYTES              largest message (SIZE, RFC 1870); default 26214400 (25 MiB)
  --max-recipients N            recipients per message; default 100
  --max-connections N           connections open at once; default 1000
  --max-connections-per-address N
                                connections open at once from one client address; default 50
  --lmtp                        speak LMTP (RFC 2033) instead of SMTP
  --proxy-protocol-from CIDR    accept a PROXY protocol v1/v2 header from these addresses; repeatable
  --workers N                   N processes sharing the listeners (node:cluster); default 1
  --verbose                     log sessions and deliveries to stderr (warnings and errors
                                are always logged)
  -h, --help                    this text

Prints "smtpkit listening on HOST:PORT" once per listener (--listen ones first, then --tls-listen,
each in the order given), then runs until SIGTERM or SIGINT, which close it gracefully (a second
signal stops it at once).

Exit codes: 0 after a graceful shutdown; 1 on a failure while running (e.g. a port in use);
2 for a bad command line or an unusable certificate.`;

/** A bad command line: one line for the user, exit code 2. */
export class ServeUsageError extends Error {
  override readonly name = "ServeUsageError";
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export type TlsSource =
  | { readonly kind: "files"; readonly cert: string; readonly key: string }
  | { readonly kind: "self-signed" };

export type Storage = { readonly kind: "maildir"; readonly dir: string } | { readonly kind: "discard" };

export interface Account {
  readonly name: string;
  readonly password: Secret;
}

export interface ServeConfig {
  /** Plain listeners (STARTTLS offered when `tls` is set). */
  readonly listen: readonly Endpoint[];
  /** Implicit-TLS listeners. */
  readonly tlsListen: readonly Endpoint[];
  readonly tls: TlsSource | undefined;
  readonly storage: Storage;
  readonly hostname: string;
  readonly users: readonly Account[];
  readonly requireAuth: boolean;
  readonly allowInsecureAuth: boolean;
  /** Served domains, lower-cased, or undefined for the catch-all. */
  readonly domains: readonly string[] | undefined;
  readonly maxSize: number | undefined;
  readonly maxRecipients: number | undefined;
  readonly maxConnections: number | undefined;
  readonly maxConnectionsPerAddress: number | undefined;
  readonly lmtp: boolean;
  readonly proxyProtocolFrom: readonly string[];
  readonly workers: number;
  readonly verbose: boolean;
}

export const DEFAULT_LISTEN: Endpoint = { host: "127.0.0.1", port: 2525 };
export const DEFAULT_MAILDIR = "./var/mail";

/** `HOST:PORT`, IPv6 in brackets (`[::1]:2525`); port 0–65535. */
export function parseEndpoint(text: string, flag: string): Endpoint {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new ServeUsageError(`${flag} wants HOST:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** `HOST:PORT` for output: IPv6 in brackets. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ServeUsageError(`${flag} wants a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function parseUser(text: string): Account {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    // Never echo the value: it holds a password.
    throw new ServeUsageError("--user wants NAME:PASSWORD with both parts non-empty");
  }
  return { name: text.slice(0, colon), password: new Secret(text.slice(colon + 1)) };
}

function parseDomains(text: string): string[] {
  const domains = text
    .split(",")
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  if (domains.length === 0) throw new ServeUsageError("--domains wants a comma-separated list of domains");
  for (const d of domains) {
    if (!isDomain(d, { smtputf8: true })) throw new ServeUsageError(`--domains: not a domain: ${JSON.stringify(d)}`);
  }
  return domains.map((d) => d.toLowerCase());
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      listen: { type: "string", multiple: true },
      "tls-listen": { type: "string", multiple: true },
      cert: { type: "string" },
      key: { type: "string" },
      "self-signed": { type: "boolean", default: false },
      maildir: { type: "string" },
      discard: { type: "boolean", default: false },
      hostname: { type: "string" },
      user: { type: "string", multiple: true },
      "require-auth": { type: "boolean", default: false },
      "allow-insecure-auth": { type: "boolean", default: false },
      domains: { type: "string" },
      "max-size": { type: "string" },
      "max-recipients": { type: "string" },
      "max-connections": { type: "string" },
      "max-connections-per-address": { type: "string" },
      verbose: { type: "boolean", default: false },
      lmtp: { type: "boolean", default: false },
      "proxy-protocol-from": { type: "string", multiple: true },
      workers: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

/**
 * Parse `smtpkit serve`'s arguments. Returns "help" for `--help`.
 * @param cwd resolves a relative `--maildir`/`--cert`/`--key`.
 * @throws ServeUsageError for anything the user must fix.
 */
export function parseServeArgs(argv: readonly string[], cwd: string = process.cwd()): ServeConfig | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    // parseArgs' messages are one line and name the option; a --user value is never in them.
    throw new ServeUsageError((error as Error).message.split("\n")[0] ?? "bad arguments");
  }
  if (values.help) return "help";

  const plain = (values.listen ?? []).map((l) => parseEndpoint(l, "--listen"));
  const implicit = (values["tls-listen"] ?? []).map((l) => parseEndpoint(l, "--tls-listen"));
  const listen = plain.length === 0 && implicit.length === 0 ? [DEFAULT_LISTEN] : plain;

  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new ServeUsageError("--cert and --key go together");
  }
  if (values.cert !== undefined && values["self-signed"]) {
    throw new ServeUsageError("--self-signed and --cert/--key exclude each other");
  }
  let tls: TlsSource | undefined;
  if (values.cert !== undefined && values.key !== undefined) {
    tls = { kind: "files", cert: path.resolve(cwd, values.cert), key: path.resolve(cwd, values.key) };
  } else if (values["self-signed"]) tls = { kind: "self-signed" };
  if (implicit.length > 0 && tls === undefined) {
    throw new ServeUsageError("--tls-listen needs a certificate: --cert FILE --key FILE, or --self-signed");
  }

  if (values.maildir !== undefined && values.discard) throw new ServeUsageError("--maildir and --discard exclude each other");
  const storage: Storage = values.discard
    ? { kind: "discard" }
    : { kind: "maildir", dir: path.resolve(cwd, values.maildir ?? DEFAULT_MAILDIR) };

  // A machine name that is not a valid domain (an underscore, say) falls back to "localhost";
  // a bad --hostname is the user's to fix.
  const systemName = os.hostname();
  const hostname = values.hostname ?? (isDomain(systemName) ? systemName : "localhost");
  if (!isDomain(hostname)) {
    throw new ServeUsageError(`--hostname wants a domain name, got ${JSON.stringify(hostname)}`);
  }

  const users = (values.user ?? []).map(parseUser);
  const names = new Set<string>();
  for (const u of users) {
    if (names.has(u.name)) throw new ServeUsageError(`--user ${JSON.stringify(u.name)} given twice`);
    names.add(u.name);
  }
  if (values["require-auth"] && users.length === 0) {
    throw new ServeUsageError("--require-auth needs at least one --user NAME:PASSWORD");
  }

  const proxyProtocolFrom = values["proxy-protocol-from"] ?? [];
  for (const block of proxyProtocolFrom) {
    try {
      parseCidr(block);
    } catch {
      throw new ServeUsageError(`--proxy-protocol-from wants an address or CIDR block, got ${JSON.stringify(block)}`);
    }
  }

  return {
    listen,
    tlsListen: implicit,
    tls,
    storage,
    hostname,
    users,
    requireAuth: values["require-auth"],
    allowInsecureAuth: values["allow-insecure-auth"],
    domains: values.domains === undefined ? undefined : parseDomains(values.domains),
    maxSize: positiveInteger(values["max-size"], "--max-size"),
    maxRecipients: positiveInteger(values["max-recipients"], "--max-recipients"),
    maxConnections: positiveInteger(values["max-connections"], "--max-connections"),
    maxConnectionsPerAddress: positiveInteger(values["max-connections-per-address"], "--max-connections-per-address"),
    lmtp: values.lmtp,
    proxyProtocolFrom,
    workers: positiveInteger(values.workers, "--workers") ?? 1,
    verbose: values.verbose,
  };
}
