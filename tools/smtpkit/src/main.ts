/**
 * smtpkit: one binary, one verb per module. `main(argv)` picks the verb and returns the exit code;
 * `bin/smtpkit.js` sets `process.exitCode` from it.
 */
import { parseArgs } from "node:util";
import { EXIT, type Io, type Verb } from "./verb.js";

/** The verbs. Adding one is one line: its name and the module that implements it. */
const VERBS: Readonly<Record<string, () => Promise<Verb>>> = {
  mx: () => import("./mx.js"),
  probe: () => import("./probe.js"),
  serve: () => import("./serve.js"),
  send: () => import("./send.js"),
};

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

async function help(): Promise<string> {
  const names = Object.keys(VERBS).sort();
  const width = Math.max(...names.map((n) => n.length));
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(width)}  ${(await (VERBS[n] as () => Promise<Verb>)()).summary}`));
  return [
    "smtpkit: SMTP tools built on the smtpkit packages",
    "",
    "Usage: smtpkit <verb> [arguments]",
    "       smtpkit <verb> --help",
    "",
    "Verbs:",
    ...lines,
    "",
    "Exit codes:",
    `  ${EXIT.ok}   success (mx: a delivery plan was found; probe: no check failed)`,
    `  ${EXIT.internal}   internal error (send: also a usage error, as the issue that specified send asks;`,
    "      probe: a check failed or the server could not be reached)",
    `  ${EXIT.permanent}   permanent failure, do not retry (mx: the domain cannot receive mail;`,
    "      serve: bad flags or an unusable certificate, as the issue that specified serve asks)",
    `  ${EXIT.temporary}   temporary failure, retry later (mx: DNS failure, no usable host yet)`,
    `  ${EXIT.usage}  usage error`,
    "",
  ].join("\n");
}

/** Run smtpkit with `argv` (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const verbAt = argv.findIndex((a) => !a.startsWith("-"));
  let globals: { help?: boolean | undefined };
  try {
    globals = parseArgs({
      args: [...(verbAt < 0 ? argv : argv.slice(0, verbAt))],
      options: { help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr(`smtpkit: ${(error as Error).message}\n\n${await help()}`);
    return EXIT.usage;
  }
  if (globals.help === true) {
    io.stdout(await help());
    return EXIT.ok;
  }
  const name = verbAt < 0 ? undefined : argv[verbAt];
  const load = name === undefined ? undefined : VERBS[name];
  if (load === undefined) {
    io.stderr(`${name === undefined ? "smtpkit: which verb?" : `smtpkit: unknown verb ${JSON.stringify(name)}`}\n\n${await help()}`);
    return EXIT.usage;
  }
  try {
    return await (await load()).run(argv.slice(verbAt + 1), io);
  } catch (error) {
    io.stderr(`smtpkit ${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}
