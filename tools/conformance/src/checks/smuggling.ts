import type { CheckDefinition } from "../types.js";

export const smugglingChecks: readonly CheckDefinition[] = [];
