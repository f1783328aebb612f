/**
 * @smtpkit/conformance: point it at any SMTP server and get a report of what it does right and wrong
 * (RFC 5321 and its extensions, and the attacks mail servers meet: smuggling, STARTTLS injection, open
 * relay, AUTH in clear). The library behind `smtpkit probe`.
 */
export { listChecks, runProbe, selectChecks } from "./runner.js";
export { formatCheckList, formatJson, formatText, summaryLine } from "./format.js";
export type { TextOptions } from "./format.js";
export { ProbeError } from "./errors.js";
export type { ProbeErrorCode } from "./errors.js";
export { AREA_TITLES } from "./types.js";
export type {
  Area,
  CheckDefinition,
  CheckResult,
  ProbeOptions,
  Report,
  Status,
  TlsMode,
  TlsSummary,
  TranscriptLine,
} from "./types.js";

// ---- Integrator API: for writing checks of your own ----
export { ProbeSession } from "./session.js";
export type { TlsKnobs } from "./session.js";
export { resolveOptions } from "./runner.js";
export { fail, notApplicable, pass, warn } from "./types.js";
export type { CheckContext, Facts, OpenOptions, ProbeReply, ResolvedOptions, Verdict } from "./types.js";
