import type { Logger } from "./types.js";

const noop = (): void => {};

/** The default: says nothing. */
export const silentLogger: Logger = Object.freeze({ info: noop, warn: noop, error: noop, debug: noop });

/** Error fields worth logging; never the whole object graph (which could hold a credential). */
export function errorFields(err: unknown): { name?: string; code?: unknown; message: string; stack?: string } {
  if (err instanceof Error) {
    const out: { name?: string; code?: unknown; message: string; stack?: string } = { name: err.name, message: err.message };
    const code = (err as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (err.stack !== undefined) out.stack = err.stack;
    return out;
  }
  return { message: String(err) };
}
