/**
 * Expectations on the ReplyCodeError that a check or constructor throws.
 * Test-only: not exported from the package.
 */
import { ReplyCodeError } from "../errors.js";

/** The `code` of the ReplyCodeError `run` throws, `undefined` when it throws nothing, or a note on anything else. */
export function errorCodeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return ReplyCodeError.isInstance(error) ? error.code : `not a ReplyCodeError: ${String(error)}`;
  }
}
