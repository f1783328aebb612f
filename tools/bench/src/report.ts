/** The results of a run, as a table for people and as JSON for machines. */
import type { ClientReport } from "./client-bench.js";

export interface Figures {
  /** Median over the rounds, in the row's unit. */
  readonly median: number;
  /** Every round, in the row's unit. */
  readonly rounds: readonly number[];
  /** Every round timed by the other clock (wall if the figures are CPU time, and vice versa). */
  readonly roundsByOtherClock: readonly number[];
}

export interface Target {
  readonly description: string;
  readonly met: boolean;
}

export interface Row {
  readonly id: "command-parsing" | "data-decoding";
  readonly benchmark: string;
  readonly unit: "commands/s" | "MB/s";
  readonly smtpkit: Figures;
  readonly smtpServer: Figures;
  /** smtpkit median / smtp-server median. */
  readonly ratio: number;
  readonly targets: readonly Target[];
  readonly pass: boolean;
}

/** One side's figures in the server benchmark: the median and every round. */
export interface ServerFigures {
  readonly median: number;
  readonly rounds: readonly number[];
}

/** A server benchmark row: three servers, ratios of smtpkit to each of the other two. */
export interface ServerRow {
  readonly id: "server-many-per-connection" | "server-one-per-connection" | "server-large-messages" | "server-idle-memory";
  readonly benchmark: string;
  readonly unit: "messages/s" | "KiB/connection";
  readonly sides: { readonly smtpkit: ServerFigures; readonly "smtp-server": ServerFigures; readonly "smtp-sink": ServerFigures };
  /** smtpkit median / smtp-server median (for memory: lower is better). */
  readonly vsSmtpServer: number;
  /** smtpkit median / smtp-sink median. */
  readonly vsSmtpSink: number;
  /** CPU seconds each server process used in each timed run. */
  readonly serverCpuSeconds?: Readonly<Record<string, readonly number[]>>;
  /**
   * Median CPU seconds of the server process per 1,000 messages: what each server costs, less
   * disturbed than wall time by other jobs on a shared machine (the load generator's CPU is not in it).
   */
  readonly cpuPerThousand?: { readonly smtpkit: number; readonly "smtp-server": number; readonly "smtp-sink": number };
  readonly targets: readonly Target[];
  readonly pass: boolean;
}

/** A SCRAM row: one way of getting the keys, at one iteration count; smtpkit only (no peer). */
export interface ScramRow {
  readonly id: "scram-verification";
  readonly benchmark: string;
  /** Where the server's keys come from: stored StoredKey/ServerKey, or PBKDF2 of the password per exchange. */
  readonly keys: "stored" | "from-password";
  readonly iterations: number;
  readonly unit: "verifications/s";
  readonly figures: Figures;
}

export interface Report {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly smtpServerVersion: string;
  readonly rounds: number;
  /** `cpu`: rates per second of the process's CPU time; `wall`: per second of wall time. */
  readonly clock: "cpu" | "wall";
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly results: readonly Row[];
  /** The server benchmark (`--only server`, or a whole run), when it ran. */
  readonly server?: {
    readonly rounds: number;
    readonly inputs: Readonly<Record<string, string>>;
    readonly results: readonly ServerRow[];
  };
  /** The SCRAM server verification benchmark (`--only scram`, or a whole run), when it ran. */
  readonly scram?: readonly ScramRow[];
  /** The client benchmark (`--only client`, or a whole run), when it ran. */
  readonly client?: ClientReport;
}

function figure(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : 1;
  return `${value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

/** A Markdown table with padded columns, readable as plain text too. */
function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** The codec benchmarks as a Markdown table. */
export function formatTable(rows: readonly Row[]): string {
  const header = ["benchmark", "smtpkit", "smtp-server", "ratio (smtpkit / smtp-server)", "target", "result"];
  const body = rows.map((r) => [
    r.benchmark,
    figure(r.smtpkit.median, r.unit),
    figure(r.smtpServer.median, r.unit),
    `${r.ratio.toFixed(2)}x`,
    r.targets.map((t) => t.description).join(" and "),
    r.pass ? "PASS" : `MISS (${r.targets.filter((t) => !t.met).map((t) => t.description).join(", ")})`,
  ]);
  return markdownTable(header, body);
}

/** The server benchmark as a Markdown table. */
export function formatServerTable(rows: readonly ServerRow[]): string {
  const header = ["benchmark", "smtpkit", "smtp-server", "smtp-sink", "smtpkit / smtp-server", "smtpkit / smtp-sink", "target", "result"];
  const body = rows.map((r) => [
    r.benchmark,
    figure(r.sides.smtpkit.median, r.unit),
    figure(r.sides["smtp-server"].median, r.unit),
    figure(r.sides["smtp-sink"].median, r.unit),
    `${r.vsSmtpServer.toFixed(2)}x`,
    `${r.vsSmtpSink.toFixed(2)}x`,
    r.targets.map((t) => t.description).join(" and "),
    r.pass ? "PASS" : `MISS (${r.targets.filter((t) => !t.met).map((t) => t.description).join(", ")})`,
  ]);
  return markdownTable(header, body);
}

/** The SCRAM benchmark as a Markdown table. */
export function formatScramTable(rows: readonly ScramRow[]): string {
  const header = ["benchmark", "iterations", "keys", "smtpkit"];
  const body = rows.map((r) => [r.benchmark, String(r.iterations), r.keys, figure(r.figures.median, r.unit)]);
  return markdownTable(header, body);
}

/** Server CPU per 1,000 messages, for the rows that have it. */
export function formatServerCpuTable(rows: readonly ServerRow[]): string {
  const header = ["benchmark", "smtpkit", "smtp-server", "smtp-sink", "smtpkit / smtp-server", "smtpkit / smtp-sink"];
  const body = rows.flatMap((r) => {
    const c = r.cpuPerThousand;
    if (c === undefined) return [];
    const cell = (v: number) => `${v.toFixed(3)} s`;
    return [[r.benchmark, cell(c.smtpkit), cell(c["smtp-server"]), cell(c["smtp-sink"]), `${(c.smtpkit / c["smtp-server"]).toFixed(2)}x`, `${(c.smtpkit / c["smtp-sink"]).toFixed(2)}x`]];
  });
  return markdownTable(header, body);
}

/** The client benchmark as two Markdown tables: rates, then the large message's memory. */
export function formatClientTables(client: ClientReport): string {
  const result = (pass: boolean, targets: readonly Target[]) =>
    pass ? "PASS" : `MISS (${targets.filter((t) => !t.met).map((t) => t.description).join(", ")})`;
  const rates = markdownTable(
    ["benchmark", "smtp-client", "Nodemailer", "ratio (smtp-client / Nodemailer)", "target", "result"],
    client.rates.map((r) => [
      r.benchmark,
      figure(r.smtpClient.median, r.unit),
      figure(r.nodemailer.median, r.unit),
      `${r.ratio.toFixed(2)}x`,
      r.targets.map((t) => t.description).join(" and "),
      result(r.pass, r.targets),
    ]),
  );
  const m = client.memory;
  const memory = markdownTable(
    ["benchmark", "baseline RSS", "peak above baseline (sampled)", "peak above baseline (VmHWM)", "send time", "target", "result"],
    [
      [
        m.benchmark,
        figure(m.baselineMiB, "MiB"),
        `${figure(m.sampledAboveMiB, "MiB")} (${m.samples} samples)`,
        m.kernelAboveMiB === undefined ? "n/a" : figure(m.kernelAboveMiB, "MiB"),
        `${m.seconds.toFixed(2)} s`,
        m.targets.map((t) => t.description).join(" and "),
        result(m.pass, m.targets),
      ],
    ],
  );
  const cpu = markdownTable(
    ["benchmark", "smtp-client", "Nodemailer", "smtp-client / Nodemailer"],
    client.rates.map((r) => {
      const c = r.cpuMsPerMessage;
      return [r.benchmark, `${c["smtp-client"].toFixed(3)} ms`, `${c.nodemailer.toFixed(3)} ms`, `${(c["smtp-client"] / c.nodemailer).toFixed(2)}x`];
    }),
  );
  return `${rates}\n\nclient CPU per message (median; lower is better; the bench process, smtp-sink not included):\n\n${cpu}\n\n${memory}`;
}

export function formatText(report: Report): string {
  const inputs = Object.entries(report.inputs).map(([k, v]) => `  ${k}: ${String(v)}`);
  return [
    `smtpkit bench, ${report.date}, node ${report.node} on ${report.platform}, ${report.cpu}`,
    `smtp-server ${report.smtpServerVersion}`,
    ...(report.results.length > 0
      ? [
          `codec: median of ${report.rounds} rounds after warm-up, sides alternating, ${report.clock === "cpu" ? "per second of CPU time" : "per second of wall time"}`,
          "inputs:",
          ...inputs,
          "",
          formatTable(report.results),
        ]
      : []),
    ...(report.server === undefined
      ? []
      : [
          "",
          `server: each side its own process on 127.0.0.1, smtp-source as the load; median of ${report.server.rounds} rounds, sides rotating, fresh server and warm-up per run; messages/s of wall time`,
          ...Object.entries(report.server.inputs).map(([k, v]) => `  ${k}: ${v}`),
          "",
          formatServerTable(report.server.results),
          "",
          "server CPU seconds per 1,000 messages (median; lower is better; the load generator not included):",
          "",
          formatServerCpuTable(report.server.results),
        ]),
    ...(report.scram === undefined
      ? []
      : [
          "",
          `scram: @smtpkit/smtp-sasl alone, one exchange after another; median of ${report.rounds} rounds after warm-up, ${report.clock === "cpu" ? "per second of CPU time (all threads: PBKDF2 runs on the libuv pool)" : "per second of wall time"}`,
          "",
          formatScramTable(report.scram),
        ]),
    ...(report.client === undefined
      ? []
      : [
          "",
          `client: smtp-client and Nodemailer sending to Postfix smtp-sink on 127.0.0.1; median of ${report.client.rounds} rounds after a warm-up, sides alternating; messages/s of wall time`,
          ...Object.entries(report.client.inputs).map(([k, v]) => `  ${k}: ${v}`),
          "",
          formatClientTables(report.client),
        ]),
  ].join("\n");
}
