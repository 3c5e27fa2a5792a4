/**
 * A user who chose one row per message signs in on a browser new to the account (no copy of the
 * settings, no cached mail): the list's first frame of rows is already one row per message, and
 * no conversation's count ever shows. The browser can only guess the setting (conversations, the
 * default); the sign-in answer carries the window of the user's saved view and says which it is
 * (bridge/src/http/api.ts, web/lib/settings.ts). Watched from the page's start by a
 * MutationObserver (callbacks run before the browser paints what changed).
 */
import type { Browser, Page } from "@playwright/test";
import { type Device, otherBrowser } from "../fixtures/other-browser";
import { expect, row, rows, signIn, test } from "../fixtures/test";
import { flatChoiceSaved } from "./flat-choice";

test.use({ seed: { inbox: 3 } });

interface Seen {
  /** A conversation's count was in the page at some point. */
  badge: boolean;
  /** The names of the rows of the first mutation that put loaded rows in the list. */
  first: string[] | null;
}

/** Installed before the page's own scripts: records what the list held, change by change. */
function watchList(): void {
  const seen: Seen = { badge: false, first: null };
  (window as unknown as { __seen: Seen }).__seen = seen;
  const check = () => {
    if (document.querySelector('[data-testid="conversation-count"]')) seen.badge = true;
    if (seen.first !== null) return;
    const loaded = document.querySelectorAll(
      '[role="listbox"][aria-label="Messages"] [role="option"]:not([aria-busy="true"])',
    );
    if (loaded.length > 0)
      seen.first = Array.from(loaded, (o) => o.getAttribute("aria-label") ?? "");
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

/** A browser of its own (cookies, storage, cache), like the test's, watched from its start. */
async function newBrowser(browser: Browser, first: Page, device: Device): Promise<Page> {
  const context = await otherBrowser(browser, first, device);
  await context.addInitScript(watchList);
  return context.newPage();
}

test("a user who chose one row per message sees that list from the first frame on a new browser", async ({
  mailPage: a,
  account,
  stack,
  browser,
  isPhone,
  isMobile,
  hasTouch,
  viewport,
  userAgent,
}) => {
  // Saved in one browser: its list turns flat once the bridge has kept the setting.
  const subject = await flatChoiceSaved(a, isPhone, stack, account, "Flat from the start");

  const b = await newBrowser(browser, a, { isMobile, hasTouch, viewport, userAgent });
  await signIn(b, account);
  await expect(row(b, subject)).toHaveCount(3);
  await expect(rows(b).first()).toBeVisible();

  const seen = await b.evaluate(() => (window as unknown as { __seen: Seen }).__seen);
  expect(seen.first?.filter((name) => name.includes(subject))).toHaveLength(3);
  expect(seen.badge).toBe(false);
  await b.context().close();
});
