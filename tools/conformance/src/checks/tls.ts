import type { CheckDefinition } from "../types.js";

export const tlsChecks: readonly CheckDefinition[] = [];
