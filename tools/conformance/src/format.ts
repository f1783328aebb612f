/**
 * The report as people and programs read it: a table grouped by area in the manner of testssl.sh
 * (status word, check id, one-line summary, RFC reference, the evidence under every failure), a
 * stable JSON document, and the list of checks for `--list`.
 */
import { AREA_TITLES, type Area, type CheckDefinition, type CheckResult, type Report, type Status, type TlsSummary, type TranscriptLine } from "./types.js";

export interface TextOptions {
  /** Show the transcript of every check, uncut. Default: only fail/warn rows, cut to a few lines. */
  readonly verbose?: boolean;
  /** ANSI colours on the status words and headings. Default false. */
  readonly color?: boolean;
}

/** Transcript lines shown under a fail/warn row without `verbose`: the first few and the last ones. */
const HEAD_LINES = 3;
const TAIL_LINES = 12;
/** Width the capabilities line wraps at. */
const WRAP = 100;
/** Column widths stop growing here; a longer id or RFC reference just pushes the rest of its row right. */
const MAX_ID_WIDTH = 36;
const MAX_RFC_WIDTH = 30;

const WORD: Readonly<Record<Status, string>> = { pass: "PASS", fail: "FAIL", warn: "WARN", "n/a": "n/a" };
const COLOR: Readonly<Record<Status, string>> = { pass: "32", fail: "1;31", warn: "33", "n/a": "2" };

const AREAS = Object.keys(AREA_TITLES) as Area[];

/** Server-supplied text on a terminal: control characters (ESC above all) shown as `\xNN`, never sent raw. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** `1 warning`, `2 warnings`: the summary line keeps the words `passed`, `failed`, `not applicable` fixed. */
export function summaryLine(s: Report["summary"]): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.warnings} warning${s.warnings === 1 ? "" : "s"}, ${s.notApplicable} not applicable`;
}

/** The report as a readable table; the last line is `summaryLine`. */
export function formatText(report: Report, options: TextOptions = {}): string {
  const verbose = options.verbose === true;
  const color = options.color === true;
  const out: string[] = header(report);

  const idWidth = Math.min(MAX_ID_WIDTH, Math.max(0, ...report.results.map((r) => r.id.length)));
  for (const area of AREAS) {
    const rows = report.results.filter((r) => r.area === area);
    if (rows.length === 0) continue;
    out.push("", paint(color, "1", AREA_TITLES[area]));
    for (const r of rows) {
      const word = paint(color, COLOR[r.status], WORD[r.status].padEnd(4));
      // The RFC reference goes last: references vary from "RFC 2920" to a list of sections and a CVE,
      // and a column wide enough for all of them would push every summary off the screen.
      out.push(`  ${word}  ${r.id.padEnd(idWidth)}  ${clean(r.summary)}  [${r.rfc}]`);
      if (verbose || r.status === "fail" || r.status === "warn") {
        for (const line of transcriptText(r.transcript, verbose)) out.push(`        ${clean(line)}`);
      }
    }
  }
  out.push("", budgetLine(report), summaryLine(report.summary));
  return `${out.join("\n")}\n`;
}

function header(report: Report): string[] {
  const lines = [`smtpkit probe ${report.target} (--tls ${report.tls}), ${report.startedAt}`];
  const field = (name: string, value: string): void => {
    lines.push(`${`${name}:`.padEnd(14)}${value}`);
  };
  field("Greeting", clean(report.greeting.split("\n")[0] ?? ""));
  const tls = report.session.tls;
  if (tls !== undefined) {
    field("TLS", `${tls.protocol} ${tls.cipher} (${tls.via === "implicit" ? "implicit TLS" : "STARTTLS"})`);
    field("Certificate", clean(certificateText(tls)));
  } else {
    field("TLS", "none (the session stayed in clear)");
  }
  const caps = report.capabilities.length === 0 ? ["(none: EHLO was refused)"] : report.capabilities;
  const wrapped = wrap(clean(caps.join(", ")), WRAP - 14);
  field("Capabilities", wrapped[0] ?? "");
  for (const more of wrapped.slice(1)) lines.push(`${" ".repeat(14)}${more}`);
  return lines;
}

function certificateText(tls: TlsSummary): string {
  const parts = [tls.subject ?? "(no subject)"];
  if (tls.issuer !== undefined && tls.issuer !== tls.subject) parts.push(`issued by ${tls.issuer}`);
  if (tls.validTo !== undefined) parts.push(`valid until ${tls.validTo}`);
  parts.push(tls.trusted ? "trusted" : `not trusted${tls.trustError === undefined ? "" : `: ${tls.trustError}`}`);
  if (tls.nameMatches !== undefined && tls.servername !== undefined) {
    parts.push(tls.nameMatches ? `names ${tls.servername}` : `does not name ${tls.servername}`);
  }
  return parts.join("; ");
}

/** Break `text` at ", " so that no line is longer than `width` (a single longer item keeps its line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of text.split(", ")) {
    const next = line === "" ? item : `${line}, ${item}`;
    if (next.length > width && line !== "") {
      lines.push(`${line},`);
      line = item;
    } else {
      line = next;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function budgetLine(report: Report): string {
  const { connections, bytesSent } = report.budget;
  const seconds = (report.durationMs / 1000).toFixed(1);
  return `${report.results.length} check${report.results.length === 1 ? "" : "s"} in ${seconds} s, ${connections} connection${connections === 1 ? "" : "s"}, ${bytesSent} octets sent`;
}

/**
 * Transcript lines as `C: …`, `S: …`, `-  …`, with the connection number in front when the check used
 * several. Without `verbose`, a long transcript keeps its first lines (connect, greeting) and its last
 * ones (where a check's evidence usually is), with a line saying how many were left out.
 */
export function transcriptText(lines: readonly TranscriptLine[], verbose = false): string[] {
  const conns = new Set(lines.filter((l) => l.conn > 0).map((l) => l.conn));
  const numbered = conns.size > 1;
  const width = numbered ? String(Math.max(...conns)).length + 1 : 0;
  const show = (l: TranscriptLine): string => {
    const prefix = !numbered ? "" : l.conn > 0 ? `#${l.conn}`.padEnd(width + 1) : " ".repeat(width + 1);
    return `${prefix}${l.dir === "-" ? "-  " : `${l.dir}: `}${l.text}`;
  };
  if (verbose || lines.length <= HEAD_LINES + TAIL_LINES + 1) return lines.map(show);
  const left = lines.length - HEAD_LINES - TAIL_LINES;
  return [
    ...lines.slice(0, HEAD_LINES).map(show),
    `… ${left} lines not shown (--verbose shows them)`,
    ...lines.slice(lines.length - TAIL_LINES).map(show),
  ];
}

/** The report as JSON, `"version": 1`, keys in a fixed order, every result with its transcript. One line. */
export function formatJson(report: Report): string {
  const tls = report.session.tls;
  const doc = {
    version: 1,
    target: report.target,
    tls: report.tls,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    greeting: report.greeting,
    capabilities: [...report.capabilities],
    session: { secure: report.session.secure, tls: tls === undefined ? null : tlsJson(tls) },
    summary: {
      passed: report.summary.passed,
      failed: report.summary.failed,
      warnings: report.summary.warnings,
      notApplicable: report.summary.notApplicable,
    },
    budget: { connections: report.budget.connections, bytesSent: report.budget.bytesSent },
    discovery: (report.discovery ?? []).map((l) => ({ conn: l.conn, dir: l.dir, text: l.text })),
    results: report.results.map(resultJson),
  };
  return `${JSON.stringify(doc)}\n`;
}

function tlsJson(t: TlsSummary): Record<string, unknown> {
  // Fixed key order; absent fields stay absent (JSON.stringify drops undefined).
  return {
    via: t.via,
    protocol: t.protocol,
    cipher: t.cipher,
    trusted: t.trusted,
    trustError: t.trustError,
    nameMatches: t.nameMatches,
    servername: t.servername,
    subject: t.subject,
    issuer: t.issuer,
    validFrom: t.validFrom,
    validTo: t.validTo,
    altNames: t.altNames,
    fingerprint256: t.fingerprint256,
  };
}

function resultJson(r: CheckResult): Record<string, unknown> {
  return {
    id: r.id,
    area: r.area,
    title: r.title,
    rfc: r.rfc,
    status: r.status,
    summary: r.summary,
    durationMs: r.durationMs,
    transcript: r.transcript.map((l) => ({ conn: l.conn, dir: l.dir, text: l.text })),
  };
}

/** `--list`: every check by area, with its RFC reference and title. */
export function formatCheckList(checks: readonly CheckDefinition[]): string {
  const idWidth = Math.min(MAX_ID_WIDTH, Math.max(0, ...checks.map((c) => c.id.length)));
  const rfcWidth = Math.min(MAX_RFC_WIDTH, Math.max(0, ...checks.map((c) => c.rfc.length)));
  const out: string[] = [];
  for (const area of AREAS) {
    const rows = checks.filter((c) => c.area === area);
    if (rows.length === 0) continue;
    if (out.length > 0) out.push("");
    out.push(AREA_TITLES[area]);
    for (const c of rows) out.push(`  ${c.id.padEnd(idWidth)}  ${c.rfc.padEnd(rfcWidth)}  ${c.title}`.trimEnd());
  }
  if (out.length === 0) out.push("(no checks)");
  out.push("", `${checks.length} check${checks.length === 1 ? "" : "s"}`);
  return `${out.join("\n")}\n`;
}
