import type { CheckDefinition } from "../types.js";

export const greetingChecks: readonly CheckDefinition[] = [];
