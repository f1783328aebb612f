/** Test support: run the `smtpkit` dispatcher in-process, with its output captured. */
import { main } from "../main.js";

export interface MainResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `smtpkit ARGV` through `main()`: the exit code and everything written to stdout and stderr. */
export async function smtpkit(...argv: string[]): Promise<MainResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}
