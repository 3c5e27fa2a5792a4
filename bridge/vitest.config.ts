/**
 * Bridge tests: unit tests next to the code (src/**\/*.test.ts) and integration tests against a
 * real bridge and the real Dovecot/Postfix fixture (test/**\/*.test.ts). Integration files start
 * their own fixture, so they run one file at a time to keep the 2-core machine responsive.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // CI machines are shared and busy; one retry keeps a timing flake from failing a run, while a
    // test that fails twice still fails. Locally, every failure shows.
    retry: process.env.CI ? 1 : 0,
  },
});
