/**
 * SIGTERM and SIGINT for `smtpkit serve`: the first starts a graceful shutdown, a second one
 * (an impatient operator pressing Ctrl-C again) stops the process at once.
 */
import process from "node:process";

export interface ShutdownSignals {
  /** Resolves with the first signal. */
  readonly first: Promise<NodeJS.Signals>;
  /** Remove the handlers (once shut down). */
  dispose(): void;
}

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

export function shutdownSignals(onSecond: (signal: NodeJS.Signals) => void): ShutdownSignals {
  let received = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) resolveFirst(signal);
    else onSecond(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    first,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
