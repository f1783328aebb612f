import type { Limits } from "./types.js";

/** Every limit with its default. The per-address connection cap follows Postfix's 50. */
export const DEFAULT_LIMITS: Readonly<Required<Limits>> = Object.freeze({
  maxLineLength: 512,
  maxMessageSize: 25 * 1024 * 1024,
  maxRecipients: 100,
  maxBadCommands: 10,
  maxAuthFailures: 3,
  authFailureDelay: 1000,
  maxConnections: 1000,
  maxConnectionsPerAddress: 50,
  idleTimeout: 300_000,
  commandTimeout: 60_000,
  dataTimeout: 180_000,
  minDataRate: 1024,
  hookTimeout: 60_000,
  greetingDelay: 0,
  handshakeTimeout: 10_000,
  maxTransactions: 0,
});

export type ResolvedLimits = Readonly<Required<Limits>>;

/** Defaults filled in; a value that is not a non-negative number is a RangeError now, not a surprise later. */
export function resolveLimits(limits: Limits | undefined): ResolvedLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw new RangeError(`Unknown limit: ${key}`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`limits.${key} must be a finite number >= 0, got ${String(value)}`);
    }
    out[key] = value;
  }
  if ((out.maxLineLength as number) < 64) throw new RangeError("limits.maxLineLength must be at least 64");
  return Object.freeze(out) as unknown as ResolvedLimits;
}

/**
 * How often the server checks deadlines: a quarter of the shortest one, between 10 ms and 1 s.
 * One interval for all sessions instead of a timer per session and per command.
 */
export function tickInterval(l: ResolvedLimits): number {
  const times = [l.idleTimeout, l.commandTimeout, l.dataTimeout, l.hookTimeout, l.handshakeTimeout].filter((t) => t > 0);
  const shortest = Math.min(...times, 4000);
  return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
}
