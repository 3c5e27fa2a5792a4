/**
 * The "rows painted" stamp of the warm starts (figure 1): installed in a document before its
 * scripts run (addInitScript), `window.__shownRows()` resolves with the first frame in which the
 * "Messages" listbox shows rows in its viewport and no placeholder, whether the listbox is busy
 * or not. So the mailbox's snapshot (web/lib/mailbox-snapshot-script.ts, inline in the page:
 * the cached rows as last shown, painted inert and busy before the app's chunks run) counts
 * here, and not in in-page.ts's `rows`, which also wants the listbox not busy (the live, usable
 * list). Checks in animation frames after DOM mutations, as in-page.ts; plain JavaScript in a
 * string for the same reason.
 */
import type { Page } from "playwright-core";

export const SHOWN_ROWS_SCRIPT = `(() => {
  if (window.__shownRows) return;
  let at = null;
  let scheduled = false;
  const waiters = [];
  function shown() {
    const list = document.querySelector('[role="listbox"][aria-label="Messages"]');
    if (!list) return false;
    const box = list.getBoundingClientRect();
    if (box.height === 0) return false;
    let rows = 0;
    for (const o of list.querySelectorAll('[role="option"]')) {
      const r = o.getBoundingClientRect();
      if (r.height === 0 || r.bottom <= box.top + 1 || r.top >= box.bottom - 1) continue;
      if (o.getAttribute("aria-busy") === "true") return false;
      rows++;
    }
    return rows > 0;
  }
  const observer = new MutationObserver(() => {
    if (at !== null || scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (at !== null || !shown()) return;
      at = performance.now();
      observer.disconnect();
      for (const w of waiters) w(at);
    });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  window.__shownRows = () => (at !== null ? Promise.resolve(at) : new Promise((r) => waiters.push(r)));
})()`;

/** The page's "rows painted" stamp (performance.now() of that frame); SHOWN_ROWS_SCRIPT must be installed. */
export async function shownRows(page: Page): Promise<number> {
  return Number(await page.evaluate("window.__shownRows()"));
}
