/**
 * Figure 1's starts from the service worker (issue 16): after a sign-in whose list the app has
 * persisted and whose service worker (web/sw.ts) is active,
 * - warm start with the service worker: a reload, the shell answered by the worker;
 * - offline cold start: the context offline at the network level (no request reaches the bridge
 *   or anything else), a new tab opened on the app;
 * each from its navigation start to the first frame painting the cached rows (the mailbox's
 * snapshot counts, browser/shown-rows.ts) and to the first frame of the live list (in-page.ts's
 * `rows`: every visible row loaded, the list not busy).
 * Both check that the worker answered the page (navigator.serviceWorker.controller), so a row is
 * never measured on the network path by mistake.
 */
import type { BrowserContext, Page } from "playwright-core";
import { signInThroughForm, stamp } from "../browser/browser";
import { SHOWN_ROWS_SCRIPT, shownRows } from "../browser/shown-rows";
import type { Account } from "../stack/mail";

/** Resolves once a service worker is active for the page's origin. */
export async function serviceWorkerActivated(page: Page, timeoutMs = 20_000): Promise<void> {
  const ok = await page.evaluate(
    `new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ${timeoutMs});
      navigator.serviceWorker.ready.then((reg) => {
        const worker = reg.active;
        if (!worker) return;
        if (worker.state === "activated") { clearTimeout(timer); resolve(true); return; }
        worker.addEventListener("statechange", () => {
          if (worker.state === "activated") { clearTimeout(timer); resolve(true); }
        });
      });
    })`,
  );
  if (ok !== true) throw new Error("the service worker did not activate");
}

/** Throws unless the page was answered by the service worker. */
export async function controlled(page: Page): Promise<void> {
  if ((await page.evaluate("navigator.serviceWorker.controller !== null")) !== true) {
    throw new Error("the page was not answered by the service worker");
  }
}

/** Milliseconds from a navigation's start to the cached rows painted, and to the live list. */
export interface StartTimes {
  shown: number;
  live: number;
}

/**
 * In `context` (fresh): signs `user` in through the form, waits for the persisted list
 * (`persisted`) and the active worker, then measures a warm reload and an offline start in a
 * new tab.
 */
export async function serviceWorkerStarts(
  context: BrowserContext,
  page: Page,
  user: Account,
  persisted: (page: Page) => Promise<void>,
): Promise<{ warm: StartTimes; offline: StartTimes }> {
  await page.goto("/");
  await signInThroughForm(page, user);
  await stamp(page, "load.rows");
  await persisted(page);
  await serviceWorkerActivated(page);
  return warmStarts(context, page);
}

/**
 * With the list persisted and the worker active in `context`: a warm reload of `page`, then an
 * offline start in a new tab; `check` (if given) looks at each page once its rows are in.
 */
export async function warmStarts(
  context: BrowserContext,
  page: Page,
  check?: (page: Page, where: "reload" | "offline start") => Promise<void>,
): Promise<{ warm: StartTimes; offline: StartTimes }> {
  await context.addInitScript({ content: SHOWN_ROWS_SCRIPT });

  await page.reload();
  const warm = { live: (await stamp(page, "load.rows")).at, shown: await shownRows(page) };
  await controlled(page);
  await check?.(page, "reload");

  await context.setOffline(true);
  const tab = await context.newPage();
  try {
    await tab.goto("/");
    const offline = { live: (await stamp(tab, "load.rows")).at, shown: await shownRows(tab) };
    await controlled(tab);
    await check?.(tab, "offline start");
    return { warm, offline };
  } finally {
    await tab.close();
    await context.setOffline(false);
  }
}
