import type { CheckDefinition } from "../types.js";

export const extensionChecks: readonly CheckDefinition[] = [];
