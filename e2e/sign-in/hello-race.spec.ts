/**
 * The sign-in answer's rows and the socket's hello, in the order that left the list unasked for:
 * the hello comes while the mailbox's queries are not yet listening (the persisted cache is still
 * being restored after the reveal). The page must still ask for the list's window over its
 * socket once the list listens: the bridge follows a folder's conversations from the windows the
 * page reads there (bridge/src/live/conversation-push.ts). The restore is held by the page's
 * IndexedDB read of the cache; the hello by the socket route, which lets the page's first socket
 * reach no bridge until the test closes it. With that socket held, the sign-in answer is the rows'
 * only source. The test signs in once the mailbox is rendered ahead, hidden behind the sign-in
 * page (components/app.tsx), as it is when the user takes a moment to type, so that its queries
 * exist and wait for the restore (a sign-in before the mailbox's code has arrived gets its rows
 * in the answer too: before-mailbox-code.spec.ts).
 */
import type { WebSocketRoute } from "@playwright/test";
import { expect, rows, test } from "../fixtures/test";

/** The persisted cache's key (web/lib/persist.ts CACHE_KEY). */
const CACHE_KEY = "ferry.cache.v1";

// A small inbox: the sign-in answer carries all of its first window, so nothing of that window is
// left to ask for because it is missing.
test.use({ seed: { inbox: 5 } });

test("a hello that comes before the list listens still has the list asked for over the socket", async ({
  page,
  account,
}) => {
  // The page's read of the persisted cache answers only once window.releaseRestore() is called.
  await page.addInitScript((key) => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    (window as unknown as { releaseRestore: () => void }).releaseRestore = () => release();
    const get = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = function (this: IDBObjectStore, query: IDBValidKey) {
      const request = get.call(this, query);
      if (query !== key) return request;
      request.addEventListener("success", (event) => {
        event.stopImmediatePropagation();
        void held.then(() => request.onsuccess?.call(request, event));
      });
      return request;
    };
  }, CACHE_KEY);

  const held: WebSocketRoute[] = [];
  const asked: string[] = [];
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    if (held.length === 0) {
      held.push(ws);
      return;
    }
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const frame = JSON.parse(String(m)) as { type?: string; mailbox?: string; query?: unknown };
      if (frame.type === "list.window" && frame.mailbox === "INBOX" && frame.query === null)
        asked.push(String(m));
      server.send(m);
    });
  });

  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  // The mailbox rendered ahead, as when the user takes a moment to type.
  await expect(page.getByRole("listbox", { name: "Messages", includeHidden: true })).toBeAttached();
  const answered = page.waitForResponse(
    (r) => r.url().endsWith("/api/session") && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  // The answer carried the whole window: nothing of it is left to ask for because it is missing.
  const answer = (await (await answered).json()) as { inbox?: { rows: unknown[] } };
  expect(answer.inbox?.rows).toHaveLength(5);
  await expect(rows(page).first()).toBeVisible();
  const connecting = page.getByRole("status").filter({ hasText: /Connecting/ });
  await expect(connecting).toBeVisible();

  // The hello, then the restore.
  await held[0]?.close();
  await expect(connecting).toHaveCount(0);
  await page.evaluate(() => (window as unknown as { releaseRestore: () => void }).releaseRestore());

  await expect.poll(() => asked.length, { timeout: 10_000 }).toBe(1);
});
