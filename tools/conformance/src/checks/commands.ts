import type { CheckDefinition } from "../types.js";

export const commandChecks: readonly CheckDefinition[] = [];
