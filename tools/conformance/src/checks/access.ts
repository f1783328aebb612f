import type { CheckDefinition } from "../types.js";

export const accessChecks: readonly CheckDefinition[] = [];
