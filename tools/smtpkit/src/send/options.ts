/**
 * The command line of `smtpkit send`, parsed and checked into a `SendConfig`. Pure: no file is
 * opened and no socket made here, so every rule is tested without side
 * effects. A bad command line throws `SendUsageError`: one line on stderr, exit code 1 (the
 * issue that specifies `send` gives usage errors exit code 1).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { isDomain } from "@smtpkit/smtp-codec";
import { parseAllowList } from "@smtpkit/smtp-dns-mx";
import { Secret } from "@smtpkit/smtp-sasl";

export const SEND_USAGE = `usage: smtpkit send --from ADDR --to ADDR [--to ADDR]... [options]

Sends one message: to --server, or without it straight to each recipient domain's MX hosts.

  --from ADDR                 envelope sender (MAIL FROM); "" for the null reverse-path <>
  --to ADDR                   envelope recipient (RCPT TO); repeatable, at least one
  --server HOST:PORT          submit to this server (IPv6 as [ADDR]:PORT; port default 25,
                              465 with --tls implicit). Without it: direct to MX
  --dns HOST:PORT             without --server: ask this DNS server (repeatable) instead of
                              the system's
  --allow CIDR                without --server: allow MX addresses in this non-public block
                              (repeatable), e.g. 127.0.0.0/8 for a local setup
  --mx-port PORT              without --server: connect to this port on each MX (default 25;
                              for tests and local setups)
  --data FILE|-               the message (RFC 5322, sent as it is); - is standard input.
                              Default: standard input; when that is a terminal or empty, a
                              small test message is generated
  --tls MODE                  none | opportunistic (default) | required | implicit
                              required: STARTTLS or nothing, before AUTH and MAIL;
                              implicit: TLS from the first byte (port 465, RFC 8314)
  --ca FILE                   trust the CA certificates in FILE (PEM) instead of the system's
  --insecure                  do not verify the server's certificate (tests only)
  --user NAME --password PASS authenticate (AUTH); the password is never printed
  --auth-mech NAME            use this SASL mechanism (default: the strongest both sides know)
  --helo NAME                 name for EHLO/LHLO (default: this host's name)
  --lmtp                      speak LMTP (RFC 2033): LHLO, one reply per recipient after DATA
  --dsn-notify LIST           NEVER, or any of SUCCESS,FAILURE,DELAY (RFC 3461), on each RCPT
  --dsn-ret FULL|HDRS         what a bounce returns (RFC 3461)
  --envid ID                  envelope identifier for DSNs (RFC 3461)
  --json                      print one JSON object instead of a line per recipient
  -h, --help                  this text

Exit codes: 0 every recipient accepted; 2 a recipient or the message rejected permanently;
3 a temporary failure (retry later); 1 a usage error or an internal error.`;

/** A bad command line: one line for the user, exit code 1. */
export class SendUsageError extends Error {
  override readonly name = "SendUsageError";
}

export type TlsMode = "none" | "opportunistic" | "required" | "implicit";
export type DsnNotify = "NEVER" | readonly ("SUCCESS" | "FAILURE" | "DELAY")[];

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Where the message comes from. */
export type DataSource =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "stdin" }
  /** No --data: standard input when it is not a terminal and not empty, else the test message. */
  | { readonly kind: "default" };

export interface SendConfig {
  /** As given; `""` is the null reverse-path. */
  readonly from: string;
  /** As given on the command line, in order, duplicates kept (the client reports each once). */
  readonly to: readonly string[];
  /** Undefined: direct to MX. */
  readonly server: Endpoint | undefined;
  readonly dns: readonly string[];
  /** Non-public address blocks direct delivery may use (smtp-dns-mx's allowAddresses). */
  readonly allow: readonly string[];
  /** Port on each MX for direct delivery; undefined: the client's default, 25. */
  readonly mxPort: number | undefined;
  readonly data: DataSource;
  readonly tls: TlsMode;
  /** Absolute path of --ca. */
  readonly ca: string | undefined;
  readonly insecure: boolean;
  readonly auth: { readonly user: string; readonly password: Secret; readonly mechanism: string | undefined } | undefined;
  readonly helo: string | undefined;
  readonly lmtp: boolean;
  readonly dsn: { readonly notify?: DsnNotify; readonly ret?: "FULL" | "HDRS"; readonly envid?: string };
  readonly json: boolean;
}

const TLS_MODES: readonly TlsMode[] = ["none", "opportunistic", "required", "implicit"];
const NOTIFY_VALUES = ["SUCCESS", "FAILURE", "DELAY"] as const;

/** `HOST[:PORT]`, IPv6 in brackets; the port defaults to `defaultPort`. */
export function parseServer(text: string, flag: string, defaultPort: number): Endpoint {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (m === null || host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SendUsageError(`${flag} wants HOST:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** `HOST:PORT` for output: IPv6 in brackets. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** RFC 3461 §4.1: `NOTIFY=NEVER` or a comma-separated list of SUCCESS, FAILURE, DELAY. */
export function parseNotify(text: string): DsnNotify {
  const items = text.split(",").map((s) => s.trim().toUpperCase());
  if (items.length === 1 && items[0] === "NEVER") return "NEVER";
  const out: ("SUCCESS" | "FAILURE" | "DELAY")[] = [];
  for (const item of items) {
    const known = NOTIFY_VALUES.find((v) => v === item);
    if (known === undefined) throw new SendUsageError(`--dsn-notify wants NEVER or a list of SUCCESS,FAILURE,DELAY, got ${JSON.stringify(text)}`);
    if (!out.includes(known)) out.push(known);
  }
  return out;
}

// A control character in any value would be a command injection on the wire; the client
// rejects them too, but a usage error here says which flag is wrong.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function noControls(value: string, flag: string): string {
  if (CONTROL.test(value)) throw new SendUsageError(`${flag} must not contain control characters (CR, LF, NUL, …)`);
  return value;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      from: { type: "string" },
      to: { type: "string", multiple: true },
      server: { type: "string" },
      dns: { type: "string", multiple: true },
      allow: { type: "string", multiple: true },
      "mx-port": { type: "string" },
      data: { type: "string" },
      tls: { type: "string" },
      ca: { type: "string" },
      insecure: { type: "boolean", default: false },
      user: { type: "string" },
      password: { type: "string" },
      "auth-mech": { type: "string" },
      helo: { type: "string" },
      lmtp: { type: "boolean", default: false },
      "dsn-notify": { type: "string" },
      "dsn-ret": { type: "string" },
      envid: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

/**
 * Parse `smtpkit send`'s arguments. Returns "help" for `--help`.
 * @param cwd resolves a relative `--data` and `--ca`.
 * @throws SendUsageError for anything the user must fix; its message never holds the password.
 */
export function parseSendArgs(argv: readonly string[], cwd: string = process.cwd()): SendConfig | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    // parseArgs names the option, never a value, so no password can be in its message.
    throw new SendUsageError((error as Error).message.split("\n")[0] ?? "bad arguments");
  }
  if (values.help) return "help";

  if (values.from === undefined) throw new SendUsageError("--from is required (\"\" for the null sender <>)");
  const to = values.to ?? [];
  if (to.length === 0) throw new SendUsageError("at least one --to is required");
  noControls(values.from, "--from");
  for (const t of to) {
    noControls(t, "--to");
    if (t.length === 0) throw new SendUsageError("--to wants an address, got \"\"");
  }

  const tls = (values.tls ?? "opportunistic") as TlsMode;
  if (!TLS_MODES.includes(tls)) throw new SendUsageError(`--tls wants none, opportunistic, required or implicit, got ${JSON.stringify(values.tls)}`);
  const server = values.server === undefined ? undefined : parseServer(values.server, "--server", tls === "implicit" ? 465 : 25);
  const dns = values.dns ?? [];
  if (server !== undefined && dns.length > 0) throw new SendUsageError("--dns is for direct delivery; with --server no DNS is asked");
  const allow = (values.allow ?? []).map((a) => a.trim());
  if (server !== undefined && allow.length > 0) throw new SendUsageError("--allow is for direct delivery, not with --server");
  try {
    parseAllowList(allow);
  } catch (error) {
    throw new SendUsageError(`--allow: ${(error as Error).message}`);
  }
  let mxPort: number | undefined;
  if (values["mx-port"] !== undefined) {
    if (server !== undefined) throw new SendUsageError("--mx-port is for direct delivery, not with --server");
    mxPort = Number(values["mx-port"]);
    if (!/^[0-9]{1,5}$/.test(values["mx-port"]) || mxPort < 1 || mxPort > 65535) throw new SendUsageError(`--mx-port wants a port number, got ${JSON.stringify(values["mx-port"])}`);
  }
  if (server === undefined && values.lmtp) throw new SendUsageError("--lmtp needs --server (LMTP is not spoken to MX hosts)");
  if (server === undefined && tls === "implicit") throw new SendUsageError("--tls implicit needs --server (MX hosts speak STARTTLS on port 25)");
  if (values.insecure && tls === "none") throw new SendUsageError("--insecure means nothing with --tls none");
  if (values.ca !== undefined && tls === "none") throw new SendUsageError("--ca means nothing with --tls none");

  if ((values.user === undefined) !== (values.password === undefined)) throw new SendUsageError("--user and --password go together");
  if (values["auth-mech"] !== undefined && values.user === undefined) throw new SendUsageError("--auth-mech needs --user and --password");
  if (values.user !== undefined && server === undefined) throw new SendUsageError("--user needs --server (MX hosts do not take AUTH from senders)");
  const auth =
    values.user === undefined || values.password === undefined
      ? undefined
      : {
          user: noControls(values.user, "--user"),
          // Wrapped at once: from here on the password prints as [redacted].
          password: new Secret(values.password),
          mechanism: values["auth-mech"] === undefined ? undefined : noControls(values["auth-mech"], "--auth-mech").toUpperCase(),
        };
  if (values.password !== undefined && CONTROL.test(values.password)) throw new SendUsageError("--password must not contain control characters");

  if (values.helo !== undefined && !isDomain(values.helo) && !/^\[[^\]\s]+\]$/.test(values.helo)) {
    throw new SendUsageError(`--helo wants a domain name or an address literal, got ${JSON.stringify(values.helo)}`);
  }

  const dsn: { notify?: DsnNotify; ret?: "FULL" | "HDRS"; envid?: string } = {};
  if (values["dsn-notify"] !== undefined) dsn.notify = parseNotify(values["dsn-notify"]);
  if (values["dsn-ret"] !== undefined) {
    const ret = values["dsn-ret"].toUpperCase();
    if (ret !== "FULL" && ret !== "HDRS") throw new SendUsageError(`--dsn-ret wants FULL or HDRS, got ${JSON.stringify(values["dsn-ret"])}`);
    dsn.ret = ret;
  }
  if (values.envid !== undefined) {
    // RFC 3461 §4.4: printable US-ASCII (xtext-encoded on the wire by the client), at most 100 characters.
    if (!/^[\x20-\x7e]{1,100}$/.test(values.envid)) throw new SendUsageError("--envid wants 1 to 100 printable ASCII characters");
    dsn.envid = values.envid;
  }

  let data: DataSource = { kind: "default" };
  if (values.data === "-") data = { kind: "stdin" };
  else if (values.data !== undefined) {
    if (values.data.length === 0) throw new SendUsageError("--data wants a file name or -");
    data = { kind: "file", path: path.resolve(cwd, values.data) };
  }

  return {
    from: values.from,
    to,
    server,
    dns,
    allow,
    mxPort,
    data,
    tls,
    ca: values.ca === undefined ? undefined : path.resolve(cwd, values.ca),
    insecure: values.insecure,
    auth,
    helo: values.helo,
    lmtp: values.lmtp,
    dsn,
    json: values.json,
  };
}
