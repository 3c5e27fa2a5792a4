/**
 * A start the service worker controls: the page itself (the start page, `/`), its first style
 * sheet and scripts (the build's content-hashed files) come straight from the worker's caches by
 * its static routes, with no fetch event to wait on; and with no network at all they still come,
 * so the start paints the cached rows (the scripts painting them and the colour scheme are in the
 * page).
 */
import { expect, messageList, rows, test } from "../fixtures/test";
import { serviceWorkerActive, snapshotStored } from "./helpers";

/** How the page's resource matching `pattern` was answered (Resource Timing), or "none". */
function answeredBy(page: import("@playwright/test").Page, pattern: string): Promise<string> {
  return page.evaluate((pattern) => {
    const re = new RegExp(pattern);
    const entry = performance.getEntriesByType("resource").find((e) => re.test(e.name)) as
      | (PerformanceResourceTiming & { workerFinalSourceType?: string })
      | undefined;
    return entry ? (entry.workerFinalSourceType ?? "fetch-event or network") : "none";
  }, pattern);
}

/** How the page itself was answered (Navigation Timing). */
function pageAnsweredBy(page: import("@playwright/test").Page): Promise<string> {
  return page.evaluate(() => {
    const entry = performance.getEntriesByType("navigation")[0] as
      | (PerformanceNavigationTiming & { workerFinalSourceType?: string })
      | undefined;
    return entry ? (entry.workerFinalSourceType ?? "fetch-event or network") : "none";
  });
}

test("a controlled start takes its page, first styles and scripts from the worker's caches, online and offline", async ({
  mailPage: page,
  context,
}) => {
  await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
  await expect.poll(() => snapshotStored(page), { timeout: 15_000 }).toBe(true);
  await page.reload(); // the worker controls the pages started after it became active
  await expect(messageList(page)).toHaveAttribute("aria-busy", "false");
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  for (const online of [true, false]) {
    await context.setOffline(!online);
    await page.reload();
    await expect(rows(page).first()).toBeVisible();
    for (const file of ["\\.css$", "/_next/static/chunks/.*\\.js$"]) {
      expect(`${file}: ${await answeredBy(page, file)}`).toBe(`${file}: cache`);
    }
    expect(`page: ${await pageAnsweredBy(page)}`).toBe("page: cache");
  }
  await context.setOffline(false);
});
