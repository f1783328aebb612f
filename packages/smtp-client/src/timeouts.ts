/** Per-phase timeouts (RFC 5321 §4.5.3.2). */
import type { Timeouts } from "./types.js";

const MIN = 60_000;

/** RFC 5321 §4.5.3.2 defaults; connect, command and QUIT are not in the RFC and get 5 minutes too. */
export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze({
  connect: 5 * MIN,
  greeting: 5 * MIN,
  command: 5 * MIN,
  mail: 5 * MIN,
  rcpt: 5 * MIN,
  dataInit: 2 * MIN,
  dataBlock: 3 * MIN,
  dataEnd: 10 * MIN,
  quit: 5 * MIN,
});

export function resolveTimeouts(t: Partial<Timeouts> | undefined): Timeouts {
  const out = { ...DEFAULT_TIMEOUTS, ...t };
  for (const [k, v] of Object.entries(out)) {
    if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new RangeError(`timeouts.${k} must be a positive number`);
  }
  return out;
}
