/**
 * `node dist/doc/generate.js <out.md>`: start each peer of `peers.ts`, probe it with every check, stop
 * it, and write the comparison (`compare.ts`) to `<out.md>`. A peer that cannot run here is an error
 * naming it: the document never silently loses a column.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runProbe } from "../runner.js";
import type { Report } from "../types.js";
import { type Column, formatComparison } from "./compare.js";
import { CA_FILE, CERT_NAME, PEERS, type Peer, type PeerSpec } from "./peers.js";

/** What regenerates the document, from the repository root (build, then this script). */
export const COMMAND = "pnpm conformance:docs";

export const HELO = "client.test";
/** Generous: the document must show each server's behaviour, not how busy the machine was. */
export const CHECK_TIMEOUT_MS = 30_000;
export const REPLY_TIMEOUT_MS = 10_000;
export const QUIET_WAIT_MS = 1_000;

/** Probe one running peer the way the document says. */
export function probePeer(peer: Peer, spec: Pick<PeerSpec, "rcpt" | "deliver">, only?: readonly string[]): Promise<Report> {
  return runProbe({
    host: peer.host,
    port: peer.port,
    tls: "starttls",
    helo: HELO,
    rcpt: spec.rcpt,
    deliver: spec.deliver,
    servername: CERT_NAME,
    ca: readFileSync(CA_FILE),
    checkTimeout: CHECK_TIMEOUT_MS,
    replyTimeout: REPLY_TIMEOUT_MS,
    quietWait: QUIET_WAIT_MS,
    ...(only === undefined ? {} : { only }),
  });
}

/**
 * The report with this run's accidents taken out — the port and this machine's name, should a server
 * quote them — so the document depends on behaviour only.
 */
export function scrub(report: Report, port: number): Report {
  const names = [...new Set([hostname(), hostname().split(".")[0] ?? ""])].filter((n) => n.length >= 3 && n !== "localhost");
  const clean = (text: string): string => {
    let t = text.replace(new RegExp(`(?<=[:\\s\\[])${port}\\b`, "g"), "<port>");
    for (const n of names) t = t.replace(new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "gi"), "<hostname>");
    return t;
  };
  return {
    ...report,
    target: clean(report.target),
    greeting: clean(report.greeting),
    capabilities: report.capabilities.map(clean),
    results: report.results.map((r) => ({ ...r, summary: clean(r.summary), transcript: r.transcript.map((l) => ({ ...l, text: clean(l.text) })) })),
  };
}

/** Every peer, or an error naming those that cannot run here. */
export function requirePeers(specs: readonly PeerSpec[] = PEERS): readonly PeerSpec[] {
  const missing = specs.flatMap((s) => {
    const why = s.missing();
    return why === undefined ? [] : [`${s.name}: ${why}`];
  });
  if (missing.length > 0) throw new Error(`cannot generate the comparison, peer(s) missing:\n  ${missing.join("\n  ")}`);
  return specs;
}

/** Start, probe and stop each peer in turn. */
export async function collect(specs: readonly PeerSpec[], log: (line: string) => void = () => undefined): Promise<Column[]> {
  const columns: Column[] = [];
  for (const spec of requirePeers(specs)) {
    const started = Date.now();
    const peer = await spec.start();
    let report: Report;
    try {
      report = scrub(await probePeer(peer, spec), peer.port);
    } finally {
      await peer.stop();
    }
    const s = report.summary;
    log(`${spec.name}: ${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings, ${s.notApplicable} n/a (${Date.now() - started} ms)`);
    columns.push({ name: peer.name, description: peer.description, report });
  }
  return columns;
}

/** How the servers were probed, as Markdown. */
export function probeDescription(specs: readonly PeerSpec[] = PEERS): string {
  const one = (values: readonly string[]): string => (new Set(values).size === 1 ? (values[0] ?? "") : "<per server>");
  const rcpt = one(specs.map((s) => s.rcpt));
  const deliver = one(specs.map((s) => s.deliver));
  return (
    `\`smtpkit probe 127.0.0.1:<port> --tls starttls --helo ${HELO} --rcpt ${rcpt} --deliver ${deliver}\`, trusting the test CA and checking the name ${CERT_NAME}, without \`--user\` (so \`extensions.auth\` is n/a: it needs an account on each server) ` +
    `(time limits: ${CHECK_TIMEOUT_MS / 1000} s per check, ${REPLY_TIMEOUT_MS / 1000} s per reply, ${QUIET_WAIT_MS} ms quiet wait)`
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const out = argv[2];
  if (out === undefined || out === "") throw new Error("usage: node dist/doc/generate.js <out.md>");
  const columns = await collect(PEERS, (line) => process.stderr.write(`${line}\n`));
  const text = formatComparison(columns, COMMAND, { probe: probeDescription() });
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, text);
  process.stderr.write(`wrote ${out}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`conformance docs: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
