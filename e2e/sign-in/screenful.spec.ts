/**
 * A cold sign-in names how many rows its screen shows, and the answer carries that many
 * conversations and a few more, not a whole window: the first rows fill the list's viewport (no
 * placeholder is ever on screen), stay where they are when the rest of the window comes over the
 * socket (no jump, no row twice), and the rows under the fold are there when scrolled to.
 */
import type { Page } from "@playwright/test";
import { deliver, expect, messageList, rawMessage, row, rows, test } from "../fixtures/test";

test.use({ seed: { inbox: 0 } });

/** Conversations in INBOX: more than the answer carries, fewer than a window. */
const TOPICS = 45;

function topic(i: number): string {
  return `Topic ${String(i).padStart(2, "0")}`;
}

/**
 * Installed before the page's scripts: after every DOM change, in the next frame (until told to
 * stop), notes whether the "Messages" listbox (once shown) has a placeholder in its viewport,
 * keeps the rows on screen in the first frame that shows any, and notes any later frame whose
 * rows on screen differ from those (a jump, a row replaced or twice).
 */
const WATCH_LIST = `(() => {
  const seen = { placeholderOnScreen: false, firstFrame: null, changed: null, stop: false };
  window.__listWatch = seen;
  let scheduled = false;
  function look() {
    const list = document.querySelector('[role="listbox"][aria-label="Messages"]');
    if (!list) return;
    const box = list.getBoundingClientRect();
    if (box.height === 0) return;
    const names = [];
    for (const o of list.querySelectorAll('[role="option"]')) {
      const r = o.getBoundingClientRect();
      if (r.height === 0 || r.bottom <= box.top + 1 || r.top >= box.bottom - 1) continue;
      if (o.getAttribute("aria-busy") === "true") seen.placeholderOnScreen = true;
      else names.push({ name: o.getAttribute("aria-label") || "", top: Math.round(r.top) });
    }
    names.sort((a, b) => a.top - b.top);
    if (seen.firstFrame === null) {
      if (names.length > 0) seen.firstFrame = names;
    } else if (seen.changed === null && JSON.stringify(names) !== JSON.stringify(seen.firstFrame)) {
      seen.changed = names;
    }
  }
  new MutationObserver(() => {
    if (scheduled || seen.stop) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (!seen.stop) look();
    });
  }).observe(document, { childList: true, subtree: true, attributes: true });
})()`;

interface ListWatch {
  placeholderOnScreen: boolean;
  firstFrame: Array<{ name: string; top: number }> | null;
  changed: Array<{ name: string; top: number }> | null;
}

/** The `list.window` replies for INBOX's top that the page's socket receives (the array fills). */
function watchHeadWindows(page: Page): Array<{ rows: unknown[] }> {
  const replies: Array<{ rows: unknown[] }> = [];
  page.on("websocket", (ws) => {
    ws.on("framereceived", (f) => {
      if (typeof f.payload !== "string") return;
      const frame = JSON.parse(f.payload) as {
        type?: string;
        mailbox?: string;
        offset?: number;
        rows?: unknown[];
      };
      if (frame.type === "list.window" && frame.mailbox === "INBOX" && frame.offset === 0)
        replies.push({ rows: frame.rows ?? [] });
    });
  });
  return replies;
}

function listWatch(page: Page): Promise<ListWatch> {
  return page.evaluate(() => (window as unknown as { __listWatch: ListWatch }).__listWatch);
}

/** The loaded rows in the list's viewport now, top to bottom, with where they are. */
function rowsOnScreen(page: Page): Promise<Array<{ name: string; top: number }>> {
  return messageList(page).evaluate((list) => {
    const box = list.getBoundingClientRect();
    return [...list.querySelectorAll('[role="option"]:not([aria-busy="true"])')]
      .map((o) => ({ name: o.getAttribute("aria-label") ?? "", r: o.getBoundingClientRect() }))
      .filter(({ r }) => r.height > 0 && r.bottom > box.top + 1 && r.top < box.bottom - 1)
      .sort((a, b) => a.r.top - b.r.top)
      .map(({ name, r }) => ({ name, top: Math.round(r.top) }));
  });
}

test("a sign-in answers with the screen's rows: they fill it without a placeholder or a jump, and scrolling shows the rest", async ({
  page,
  stack,
  account,
}) => {
  const start = Date.now() - TOPICS * 60_000;
  for (let i = 1; i <= TOPICS; i++) {
    await deliver(
      stack,
      account.email,
      rawMessage({
        from: "sender@example.test",
        to: account.email,
        subject: topic(i),
        date: new Date(start + i * 60_000),
      }),
    );
  }
  await page.addInitScript(WATCH_LIST);
  const headWindows = watchHeadWindows(page);
  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  // The mailbox is made ahead once the address is typed: the sign-in then says what it shows.
  await expect(page.locator('[role="listbox"][aria-label="Messages"]')).toBeAttached();

  const answered = page.waitForResponse(
    (r) => new URL(r.url()).pathname === "/api/session" && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  const response = await answered;
  expect(response.status()).toBe(200);
  const asked = response.request().postDataJSON() as {
    inbox?: { conversations: boolean; rows?: number };
  };
  const carried = ((await response.json()) as { inbox?: { conversations?: unknown[] } }).inbox
    ?.conversations;

  await expect(rows(page).first()).toBeVisible();
  const rowHeight = await rows(page)
    .first()
    .evaluate((el) => el.getBoundingClientRect().height);
  // The screen's rows: the window's height (a phone's screen may count more).
  const screenRows = await page.evaluate((h) => Math.ceil(window.innerHeight / h), rowHeight);
  expect(asked.inbox?.conversations).toBe(true);
  expect(asked.inbox?.rows).toBeGreaterThanOrEqual(screenRows);
  expect(asked.inbox?.rows).toBeLessThanOrEqual(screenRows + 2);
  // A screenful and a few more, not the window's 45.
  expect(carried?.length ?? 0).toBeGreaterThanOrEqual(screenRows);
  expect(carried?.length ?? 0).toBeLessThan(screenRows + 10);
  expect(carried?.length ?? 0).toBeLessThan(TOPICS);

  // The first frame of rows filled the list's viewport (no room for another row under its last).
  const first = (await listWatch(page)).firstFrame ?? [];
  expect(first[0]?.name).toContain(topic(TOPICS));
  expect(new Set(first.map((r) => r.name)).size).toBe(first.length);
  const viewport = await messageList(page).evaluate((el) => el.getBoundingClientRect().bottom);
  expect((first[first.length - 1]?.top ?? 0) + rowHeight).toBeGreaterThanOrEqual(viewport - 1);

  // The rest of the window comes over the socket; once it is drawn, the rows on screen are the
  // first frame's, where they were, and no placeholder was ever on screen.
  await expect
    .poll(() => headWindows.find((w) => w.rows.length === TOPICS) !== undefined)
    .toBe(true);
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
  const watched = await listWatch(page);
  expect(watched.changed, JSON.stringify(watched.firstFrame)).toBeNull();
  expect(watched.placeholderOnScreen).toBe(false);
  expect(await rowsOnScreen(page)).toEqual(first);
  await page.evaluate(() => {
    (window as unknown as { __listWatch: { stop: boolean } }).__listWatch.stop = true;
  });

  // Under the fold: the rows past what the answer carried, down to the oldest.
  await messageList(page).evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await expect(row(page, topic(1))).toBeVisible();
  const bottom = await rowsOnScreen(page);
  expect(bottom.length).toBeGreaterThan(0);
  expect(new Set(bottom.map((r) => r.name)).size).toBe(bottom.length);
  const names = bottom.map((r) => r.name);
  for (let i = 1; i <= bottom.length; i++) {
    expect(names[bottom.length - i]).toContain(topic(i));
  }
});
