import { defineConfig } from "vitest/config";

// One run over every package's own vitest config, so `pnpm test` ends with one summary line.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "tools/*/vitest.config.ts"],
  },
});
