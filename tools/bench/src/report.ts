/** The results of a run, as a table for people and as JSON for machines. */

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
}

function figure(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : 1;
  return `${value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

/** A Markdown table, readable as plain text too. */
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
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function formatText(report: Report): string {
  const inputs = Object.entries(report.inputs).map(([k, v]) => `  ${k}: ${String(v)}`);
  return [
    `smtpkit bench, ${report.date}, node ${report.node} on ${report.platform}, ${report.cpu}`,
    `smtp-server ${report.smtpServerVersion}; median of ${report.rounds} rounds after warm-up, sides alternating, ${report.clock === "cpu" ? "per second of CPU time" : "per second of wall time"}`,
    "inputs:",
    ...inputs,
    "",
    formatTable(report.results),
  ].join("\n");
}
