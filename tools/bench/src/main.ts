/**
 * smtpkit against smtp-server (Nodemailer), side by side in one run, in-process: no sockets.
 *
 *   node --expose-gc dist/main.js [--json] [--rounds N] [--only commands|data] [--clock cpu|wall]
 */
import { createRequire } from "node:module";
import os from "node:os";
import { parseArgs } from "node:util";
import { commandBench } from "./command-parsing.js";
import { dataBench } from "./data-decoding.js";
import { checksum, compare, type SideResult, type TimingOptions } from "./harness.js";
import { commandCases, dataInput } from "./inputs.js";
import { type Figures, formatText, type Report, type Row } from "./report.js";

const USAGE = `usage: node --expose-gc dist/main.js [options]

  --json           print the results as JSON instead of a table
  --rounds N       measured rounds per benchmark (default 7)
  --only WHICH     run one benchmark: commands | data
  --clock CLOCK    cpu (default): rates per second of the process's CPU time, which other
                   jobs on a shared machine disturb less; wall: per second of wall time.
                   Both are in the --json output.
  -h, --help       this text

Exit code 0 when the benchmarks ran (whether or not the targets were met), 1 on an error.`;

/** Targets from the issue: parsing at least twice smtp-server; DATA at least 1 GB/s and twice smtp-server. */
const COMMAND_RATIO_TARGET = 2;
const DATA_RATIO_TARGET = 2;
const DATA_MB_PER_S_TARGET = 1000;

/** A bad command line: reported without a stack trace. */
class UsageError extends Error {}

function scaled(side: SideResult, factor: number): Figures {
  return {
    median: side.median * factor,
    rounds: side.rates.map((r) => r * factor),
    roundsByOtherClock: side.otherRates.map((r) => r * factor),
  };
}

function row(
  id: Row["id"],
  benchmark: string,
  unit: Row["unit"],
  [ours, theirs]: readonly [SideResult, SideResult],
  factor: number,
  targets: (smtpkit: number, ratio: number) => Row["targets"],
): Row {
  const smtpkit = scaled(ours, factor);
  const smtpServer = scaled(theirs, factor);
  const ratio = smtpkit.median / smtpServer.median;
  const checked = targets(smtpkit.median, ratio);
  return { id, benchmark, unit, smtpkit, smtpServer, ratio, targets: checked, pass: checked.every((t) => t.met) };
}

function parseOptions() {
  return parseArgs({
    options: {
      json: { type: "boolean", default: false },
      rounds: { type: "string", default: "7" },
      only: { type: "string" },
      clock: { type: "string", default: "cpu" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds wants a positive integer, got ${values.rounds}`);
  if (values.only !== undefined && values.only !== "commands" && values.only !== "data") {
    throw new UsageError(`--only wants commands or data, got ${values.only}`);
  }
  const clock = values.clock;
  if (clock !== "cpu" && clock !== "wall") throw new UsageError(`--clock wants cpu or wall, got ${clock}`);
  const timing: TimingOptions = { rounds, sampleSeconds: 0.25, warmupSeconds: 1, clock };
  const log = values.json ? () => undefined : (text: string) => process.stderr.write(`${text}\n`);

  const cases = commandCases();
  const data = dataInput();
  const inputs: Record<string, unknown> = {
    "command lines": `${cases.length} lines (${[...new Set(cases.map((c) => c.verb))].join(", ")}), one pass = one iteration`,
    "DATA body": `${data.body.length} octets, ${data.lines} lines, ${data.stuffedLines} dot-stuffed`,
    "DATA wire": `${data.wire.length} octets in ${data.chunks.length} chunks of up to 64 KiB`,
  };
  const results: Row[] = [];

  if (values.only !== "data") {
    const bench = commandBench(cases);
    log("command parsing: inputs checked on both sides, timing...");
    const sides = await compare(bench.smtpkit, bench.smtpServer, timing);
    results.push(
      row("command-parsing", "command parsing", "commands/s", sides, bench.lines.length, (_ours, ratio) => [
        { description: `>= ${COMMAND_RATIO_TARGET}x smtp-server`, met: ratio >= COMMAND_RATIO_TARGET },
      ]),
    );
  }
  if (values.only !== "commands") {
    const bench = await dataBench(data);
    log("DATA decoding: output checked on both sides, timing...");
    const sides = await compare(bench.smtpkit, bench.smtpServer, timing);
    results.push(
      row("data-decoding", "DATA decoding (1 MiB, 64 KiB chunks)", "MB/s", sides, data.wire.length / 1e6, (ours, ratio) => [
        { description: ">= 1 GB/s", met: ours >= DATA_MB_PER_S_TARGET },
        { description: `>= ${DATA_RATIO_TARGET}x smtp-server`, met: ratio >= DATA_RATIO_TARGET },
      ]),
    );
  }

  const require = createRequire(import.meta.url);
  const report: Report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: `${os.cpus()[0]?.model ?? "unknown cpu"} x${os.cpus().length}`,
    smtpServerVersion: (require("smtp-server/package.json") as { version: string }).version,
    rounds,
    clock,
    inputs,
    results,
  };
  if (typeof globalThis.gc !== "function") log("note: run with --expose-gc for steadier figures");
  console.log(values.json ? JSON.stringify(report, null, 2) : formatText(report));
  // Keep every checksum observable, so no timed work could be dropped as dead code.
  if (Number.isNaN(checksum())) console.log("");
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`bench: ${error.message}\n\n${USAGE}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
