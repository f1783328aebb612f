/**
 * `smtpkit probe HOST:PORT`: a conformance and security report for any SMTP server, from
 * `@smtpkit/conformance`. Exit 0 when no check failed, 1 when one did (or the server could not be
 * reached), 64 on a usage error.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Secret } from "@smtpkit/smtp-sasl";
import {
  formatCheckList,
  formatJson,
  formatText,
  listChecks,
  ProbeError,
  type ProbeOptions,
  type Report,
  runProbe,
  selectChecks,
  type TlsMode,
} from "@smtpkit/conformance";
import { EXIT, type Io } from "./verb.js";

export const summary = "a conformance and security report for any SMTP server (like testssl.sh for SMTP)";

export const usage = `Usage: smtpkit probe HOST[:PORT] [options]
       smtpkit probe --list

Connects to the SMTP server at HOST:PORT (IPv6 as [ADDR]:PORT, port 25 when left out) and runs
the conformance and security checks: greeting and EHLO, command handling, extensions, and the
attacks mail servers meet (SMTP smuggling, STARTTLS injection, open relay, AUTH in clear, TLS).
Prints a table grouped by area, one row per check (PASS, FAIL, WARN or n/a, the check id, the
RFC section and what came back; the exchange under every FAIL and WARN), and a last line
"N passed, N failed, N warnings, N not applicable".

Options:
  --tls MODE            starttls (default): upgrade with STARTTLS when offered; implicit: TLS at
                        connect (port 465 style, RFC 8314); none: stay in clear
  --helo NAME           the name in EHLO/HELO (default smtpkit-probe.invalid)
  --from ADDR           the reverse-path for MAIL FROM (default probe@<helo name>)
  --rcpt ADDR           a recipient the server accepts, e.g. a mailbox of yours on it (default
                        postmaster); checks that need an open transaction use it
  --foreign-rcpt ADDR   a recipient the server must not relay to (default
                        smtpkit-relay-probe@example.com)
  --deliver ADDR        let the checks that must end a message (the final dot, BDAT LAST) do it,
                        to ADDR only; without it they report n/a
  --user NAME --password PASS
                        an account on the server: extensions.auth then checks that every offered
                        password mechanism accepts it (PLAIN/LOGIN only inside TLS; stops after two
                        refusals; the password is never printed)
  --only ID,...         run only these checks; an entry may be an id prefix (security, commands.vrfy)
  --timeout SECONDS     time limit for each check, connections included (default 15)
  --quiet-wait MS       how long a check waits to be sure that no reply comes (default 600; the
                        smuggling checks wait 2.5 times that): raise it for a slow server, whose
                        late answer would otherwise read as silence
  --servername NAME     the TLS server name (SNI and certificate check; default HOST when a name)
  --ca FILE             also trust the CA certificates in this PEM file when judging the certificate
  --json                print one line of JSON instead ("version": 1, every result with its transcript)
  --verbose             show the exchange of every check, in full
  --color               colour the status words (ANSI)
  --list                list the checks and exit
  -h, --help            this text

Safety: the probe never completes a message (it never sends the final dot after DATA, nor BDAT
LAST in a transaction) unless --deliver names the recipient, and never sends data after a foreign
recipient. It opens at most 80 connections and writes at most 2 MiB in all, and each check has its
own time limit (--timeout). Probe only servers you run or may test.

Exit codes: 0 no check failed, 1 a check failed or the server could not be reached (the reason on
stderr), 64 usage error (unknown option, bad --tls, unknown --only id, bad port).
`;

/** Any check failed, or there was no server to check. */
const FAILED = 1;

/** A bad command line; `message` is printed after "smtpkit probe: ". */
class ProbeUsageError extends Error {}

type ProbeArgs =
  | { readonly kind: "help" }
  /** `--list`, narrowed by `--only` when given. */
  | { readonly kind: "list"; readonly only: readonly string[] | undefined }
  | { readonly kind: "probe"; readonly options: ProbeOptions; readonly json: boolean; readonly verbose: boolean; readonly color: boolean };

export async function run(args: readonly string[], io: Io): Promise<number> {
  let parsed: ProbeArgs;
  try {
    parsed = parse(args);
  } catch (error) {
    if (!(error instanceof ProbeUsageError) && !isUsageProblem(error)) throw error;
    io.stderr(`smtpkit probe: ${(error as Error).message}\n\n${usage}`);
    return EXIT.usage;
  }
  if (parsed.kind === "help") {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (parsed.kind === "list") {
    io.stdout(formatCheckList(parsed.only === undefined ? listChecks() : selectChecks(parsed.only)));
    return EXIT.ok;
  }
  const { options } = parsed;
  let report: Report;
  try {
    report = await runProbe(options);
  } catch (error) {
    if (!ProbeError.isInstance(error)) throw error;
    if (error.code === "invalid-options") {
      io.stderr(`smtpkit probe: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`smtpkit probe: could not probe ${endpoint(options)}: ${error.message} (${error.code})\n`);
    return FAILED;
  }
  io.stdout(parsed.json ? formatJson(report) : formatText(report, { verbose: parsed.verbose, color: parsed.color }));
  return report.summary.failed > 0 ? FAILED : EXIT.ok;
}

/** Errors `parseArgs` throws for an unknown option or a missing value, and bad `--only` ids. */
function isUsageProblem(error: unknown): boolean {
  if (ProbeError.isInstance(error)) return error.code === "invalid-options";
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

function endpoint(o: ProbeOptions): string {
  return o.host.includes(":") ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
}

const TLS_MODES: readonly TlsMode[] = ["starttls", "implicit", "none"];

/** `HOST[:PORT]`, IPv6 in brackets; port 25 when left out. */
export function parseTarget(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+))(?::(\d{1,5}))?$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? 25 : Number(m[3]);
  if (m === null || host === undefined || port < 1 || port > 65535) {
    throw new ProbeUsageError(`the target must be HOST[:PORT] with a port 1-65535 (IPv6 as [ADDR]:PORT), not ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/**
 * These values go into command lines (`MAIL FROM:<from>`, `EHLO helo`): a CR or LF would inject a
 * command of its own, so anything that is not one printable token is refused here.
 */
function token(flag: string, value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (value === "" || /[\u0000-\u0020\u007f<>]/.test(value)) {
    throw new ProbeUsageError(`${flag} wants ${what} without spaces, control characters or angle brackets, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parse(args: readonly string[]): ProbeArgs {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      tls: { type: "string" },
      helo: { type: "string" },
      from: { type: "string" },
      rcpt: { type: "string" },
      "foreign-rcpt": { type: "string" },
      deliver: { type: "string" },
      user: { type: "string" },
      password: { type: "string" },
      json: { type: "boolean" },
      only: { type: "string", multiple: true },
      timeout: { type: "string" },
      "quiet-wait": { type: "string" },
      servername: { type: "string" },
      ca: { type: "string" },
      verbose: { type: "boolean" },
      color: { type: "boolean" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return { kind: "help" };
  const listed = values.only?.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  const only = listed === undefined || listed.length === 0 ? undefined : listed;
  // Unknown ids are a usage error before any connection is made (ProbeError "invalid-options").
  if (only !== undefined) selectChecks(only);
  if (values.list === true) {
    if (positionals.length > 0) throw new ProbeUsageError("--list takes no target");
    return { kind: "list", only };
  }
  if (positionals.length !== 1) throw new ProbeUsageError(positionals.length === 0 ? "which server? give HOST[:PORT]" : "exactly one HOST[:PORT], please");
  const target = parseTarget(positionals[0] as string);

  const tls = values.tls ?? "starttls";
  const mode = TLS_MODES.find((m) => m === tls);
  if (mode === undefined) throw new ProbeUsageError(`--tls takes starttls, implicit or none, not ${JSON.stringify(tls)}`);
  let checkTimeout: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (values.timeout.trim() === "" || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      throw new ProbeUsageError(`--timeout takes seconds per check (more than 0, at most 3600), not ${JSON.stringify(values.timeout)}`);
    }
    checkTimeout = Math.round(seconds * 1000);
  }
  let quietWait: number | undefined;
  if (values["quiet-wait"] !== undefined) {
    const ms = Number(values["quiet-wait"]);
    if (!/^[0-9]+$/.test(values["quiet-wait"]) || ms < 50 || ms > 60_000) {
      throw new ProbeUsageError(`--quiet-wait takes milliseconds (50 to 60000), not ${JSON.stringify(values["quiet-wait"])}`);
    }
    quietWait = ms;
  }
  let ca: Buffer | undefined;
  if (values.ca !== undefined) {
    try {
      ca = readFileSync(values.ca);
    } catch (error) {
      throw new ProbeUsageError(`--ca ${values.ca}: ${(error as Error).message}`);
    }
  }
  const helo = token("--helo", values.helo, "a domain name or address literal");
  const from = token("--from", values.from, "an address");
  const rcpt = token("--rcpt", values.rcpt, "an address");
  const foreignRcpt = token("--foreign-rcpt", values["foreign-rcpt"], "an address");
  const deliver = token("--deliver", values.deliver, "an address");
  const servername = token("--servername", values.servername, "a host name");
  if ((values.user === undefined) !== (values.password === undefined)) throw new ProbeUsageError("--user and --password go together");
  const user = token("--user", values.user, "a user name");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (values.password !== undefined && (values.password === "" || /[\u0000-\u001f\u007f]/.test(values.password))) {
    // The message never holds the password itself.
    throw new ProbeUsageError("--password must be non-empty, without control characters");
  }
  // Wrapped at once: from here on the password prints as [redacted].
  const auth = user === undefined || values.password === undefined ? undefined : { username: user, password: new Secret(values.password) };

  // exactOptionalPropertyTypes: only the options that were given.
  const options: ProbeOptions = {
    ...target,
    tls: mode,
    ...(helo === undefined ? {} : { helo }),
    ...(from === undefined ? {} : { from }),
    ...(rcpt === undefined ? {} : { rcpt }),
    ...(foreignRcpt === undefined ? {} : { foreignRcpt }),
    ...(deliver === undefined ? {} : { deliver }),
    ...(auth === undefined ? {} : { auth }),
    ...(only === undefined ? {} : { only }),
    ...(checkTimeout === undefined ? {} : { checkTimeout }),
    ...(quietWait === undefined ? {} : { quietWait }),
    ...(servername === undefined ? {} : { servername }),
    ...(ca === undefined ? {} : { ca }),
  };
  return { kind: "probe", options, json: values.json === true, verbose: values.verbose === true, color: values.color === true };
}
