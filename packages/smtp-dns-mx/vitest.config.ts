import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Tests may only query DNS servers on 127.0.0.1 (see the file).
    setupFiles: ["src/test-support/network-guard.ts"],
  },
});
