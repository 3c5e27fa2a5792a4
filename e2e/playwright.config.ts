/**
 * Ferry's end-to-end tests: real Chromium (Debian's, Playwright can't download browsers here)
 * against the real stack (mail-server fixture, bridge, static web app), at a desktop viewport
 * and at a phone viewport with touch. Each worker starts its own stack (fixtures/test.ts); each
 * test signs in as a fresh, seeded user. Build the web app first: `pnpm --filter @ferry/web build`.
 */
import { defineConfig, devices } from "@playwright/test";

const chromium = {
  executablePath: process.env.FERRY_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  testDir: ".",
  // Several people may run suites in this tree at once: `--output` keeps runs apart.
  outputDir: process.env.FERRY_E2E_OUTPUT ?? "test-results",
  testMatch: "**/*.spec.ts",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // Each worker runs its own mail server and bridge; two fit this 2-core machine.
  workers: Number(process.env.FERRY_E2E_WORKERS ?? 2),
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  // The README screenshots are taken on request only (they rewrite docs/screenshots).
  ...(process.env.FERRY_SCREENSHOTS ? {} : { grepInvert: /@screenshots/ }),
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromium,
    locale: "en-US",
    timezoneId: "UTC",
  },
  projects: [
    {
      name: "desktop",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1280, height: 800 },
        channel: undefined,
      },
    },
    {
      name: "phone",
      use: { ...devices["Pixel 7"], channel: undefined },
    },
  ],
});
