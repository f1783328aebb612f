/**
 * The logger `smtpkit serve` hands to smtp-server-core: one JSON object a line on stderr, so the
 * output can be read by people and by log shippers alike. Warnings and errors always; `info` and
 * `debug` only with `--verbose`. smtp-server-core never passes a secret to its logger, and the
 * passwords of `--user` are `Secret`s that print as `[redacted]`.
 */
import type { Logger } from "@smtpkit/smtp-server-core";

export function lineLogger(verbose: boolean, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (level: string) => (obj: object, msg?: string) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, ...(msg === undefined ? {} : { msg }), ...obj })}\n`);
  };
  const quiet = (): void => undefined;
  return {
    info: verbose ? emit("info") : quiet,
    debug: verbose ? emit("debug") : quiet,
    warn: emit("warn"),
    error: emit("error"),
  };
}
