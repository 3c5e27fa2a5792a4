/**
 * A sign-in made before the mailbox's code has arrived (a slow phone, a loaded machine, a quick
 * user) gets INBOX's first rows in its answer like any other, of the view the user chose: the
 * page's sign-in request asks for them from its own code (web/lib/first-window.ts), not from the
 * mailbox's chunk. That chunk is held until the answer has come, and the page's sockets reach no
 * bridge at all: the rows on screen can only be the answer's.
 */
import type { Page } from "@playwright/test";
import { otherBrowser } from "../fixtures/other-browser";
import type { Account } from "../fixtures/stack";
import { expect, row, rows, test } from "../fixtures/test";
import { flatChoiceSaved, threeInOne } from "./flat-choice";

// The page's own requests must reach page.route (a service worker would answer them unseen).
test.use({ seed: { inbox: 3 }, serviceWorkers: "block" });

interface Answer {
  conversations?: boolean;
  inbox?: { rows: unknown[] };
}

/**
 * Signs in with the app's lazily loaded code held back until the answer has come, and the
 * sockets held for good. Returns what the request asked for and what the answer said.
 */
async function signInBeforeMailboxCode(
  page: Page,
  account: Account,
): Promise<{ asked: unknown; answer: Answer }> {
  // The mailbox's chunk: among those the HTML does not name, the one defining mail-root.tsx's
  // exports (the protocol's chunk, which the sign-in page itself needs, passes).
  const html = await (await page.context().request.get("/")).text();
  const inHtml = new Set(html.match(/\/_next\/static\/chunks\/[^"]+\.js/g) ?? []);
  const held: string[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/_next/static/chunks/*.js", async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (inHtml.has(path)) return route.continue();
    // The test's own fetch; a kept-alive connection the bridge closed meanwhile is tried again.
    const response = await route.fetch({ maxRetries: 2 });
    if ((await response.text()).includes('"startEarly"')) {
      held.push(path);
      await released;
    }
    await route.fulfill({ response });
  });
  await page.routeWebSocket(/\/ws(\?|$)/, () => {});

  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  // The page has asked for the mailbox's code, which has not come: no mailbox, not even hidden.
  await expect.poll(() => held.length).toBeGreaterThan(0);
  await expect(page.getByRole("listbox", { name: "Messages", includeHidden: true })).toHaveCount(0);
  const request = page.waitForRequest(
    (r) => r.url().endsWith("/api/session") && r.method() === "POST",
  );
  const response = page.waitForResponse(
    (r) => r.url().endsWith("/api/session") && r.request().method() === "POST",
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  const asked = ((await request).postDataJSON() as { inbox?: unknown }).inbox;
  const answer = (await (await response).json()) as Answer;
  release();
  return { asked, answer };
}

test("a sign-in before the mailbox's code has loaded gets its conversations in the answer", async ({
  page,
  account,
  stack,
}) => {
  const subject = await threeInOne(stack, account, "Early click");
  const { asked, answer } = await signInBeforeMailboxCode(page, account);
  expect(asked).toMatchObject({ conversations: true });
  expect(answer.conversations).toBe(true);
  // The 3 seeded messages and the conversation of 3: 4 rows.
  expect(answer.inbox?.rows).toHaveLength(4);

  await expect(rows(page)).toHaveCount(4);
  await expect(row(page, subject)).toHaveCount(1);
  // The socket never got through: the rows are the answer's.
  await expect(page.getByRole("status").filter({ hasText: "Connecting…" })).toBeVisible();
  // The chunks the page is still fetching are served before it closes.
  await page.unrouteAll({ behavior: "wait" });
});

test("a sign-in before the mailbox's code has loaded gets the flat list its user chose", async ({
  mailPage: first,
  account,
  stack,
  browser,
  isPhone,
  isMobile,
  hasTouch,
  viewport,
  userAgent,
}) => {
  const subject = await flatChoiceSaved(first, isPhone, stack, account, "Early click");

  // A browser new to the account: it can only guess conversations; the answer tells the choice.
  const context = await otherBrowser(browser, first, { isMobile, hasTouch, viewport, userAgent });
  const page = await context.newPage();
  const { answer } = await signInBeforeMailboxCode(page, account);
  expect(answer.conversations).toBe(false);
  expect(answer.inbox?.rows).toHaveLength(6);

  await expect(rows(page)).toHaveCount(6);
  await expect(row(page, subject)).toHaveCount(3);
  await expect(page.getByRole("status").filter({ hasText: "Connecting…" })).toBeVisible();
  await page.unrouteAll({ behavior: "wait" });
  await context.close();
});
