/** The catalogue: every check, in report order (grouped by area). */
import type { CheckDefinition } from "../types.js";
import { accessChecks } from "./access.js";
import { authChecks } from "./auth.js";
import { clientChecks } from "./client.js";
import { commandChecks } from "./commands.js";
import { extensionChecks } from "./extensions.js";
import { greetingChecks } from "./greeting.js";
import { smugglingChecks } from "./smuggling.js";
import { tlsChecks } from "./tls.js";

export const CHECKS: readonly CheckDefinition[] = Object.freeze([
  ...greetingChecks,
  ...clientChecks,
  ...commandChecks,
  ...extensionChecks,
  ...authChecks,
  ...smugglingChecks,
  ...accessChecks,
  ...tlsChecks,
]);
