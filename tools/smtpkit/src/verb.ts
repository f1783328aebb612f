/** What every verb module exports, and the exit codes they share. */

/** Where a verb writes; `main` passes the process's streams, tests pass collectors. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A verb module: `export const summary`, `export const usage`, `export async function run`. */
export interface Verb {
  /** One line for `smtpkit --help`. */
  readonly summary: string;
  /** The verb's own `--help` text. */
  readonly usage: string;
  /** Run with the arguments after the verb; resolves to the exit code. */
  run(args: readonly string[], io: Io): Promise<number>;
}

/** Exit codes, the same for every verb (listed by `smtpkit --help`). */
export const EXIT = Object.freeze({
  /** The verb did what was asked (mx: a delivery plan). */
  ok: 0,
  /** A bug or an unexpected condition; the message is on stderr. */
  internal: 1,
  /** A permanent failure: retrying will not help (mx: the domain cannot receive mail). */
  permanent: 2,
  /** A temporary failure: retry later (mx: DNS failed, no host reachable yet). */
  temporary: 3,
  /** Bad arguments (sysexits EX_USAGE). */
  usage: 64,
});
