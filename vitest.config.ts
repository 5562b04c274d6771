import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Tests never read the developer's real config or keychain entries: see test/setup.ts.
    setupFiles: ["test/setup.ts"],
    // The CLI bundle is built once for the whole run (test files spawn it).
    globalSetup: ["test/global-setup.ts"],
  },
});
