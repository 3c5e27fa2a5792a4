/**
 * The page's first connection ("Connecting…", after a sign-in and after a reload) is told where it
 * covers nothing the user reads or clicks: not the folder's heading, not a button or field of the
 * header or the list, not the first row; and the rows stay where they are when it goes. So too
 * in the Scheduled view and in an open message (on a phone, the reader is the whole screen):
 * their headings stay where they are. The page's sockets are held (they reach no bridge) until
 * the test lets them through, so the state lasts as long as the test looks at it.
 */
import type { Locator, Page } from "@playwright/test";
import { appendChain } from "../conversations/thread-mail";
import { holdSockets } from "../fixtures/hold-sockets";
import { expect, reader, row, rows, signIn, test, unique } from "../fixtures/test";
import { cached, snapshotStored } from "../offline/helpers";

test.use({ seed: { inbox: 5 } });

/**
 * What the "Connecting…" status's box overlaps on screen: headings, buttons, fields, links and
 * loaded rows that are visible and not its own parts, each named by tag and label; and a page
 * heading whose text it cut short by taking the heading's room.
 */
function coveredByConnecting(page: Page): Promise<{ shown: boolean; covered: string[] }> {
  return page.evaluate(() => {
    const status = [...document.querySelectorAll('[role="status"]')].find(
      (el) => el.checkVisibility() && el.textContent?.includes("Connecting"),
    );
    if (!status) return { shown: false, covered: [] };
    const box = status.getBoundingClientRect();
    const shown =
      box.width > 0 &&
      box.height > 0 &&
      box.top >= 0 &&
      box.left >= 0 &&
      box.bottom <= window.innerHeight &&
      box.right <= window.innerWidth;
    const targets = document.querySelectorAll(
      'h1, h2, button, input, select, textarea, a[href], [role="option"]:not([aria-busy="true"])',
    );
    const covered: string[] = [];
    for (const el of targets) {
      if (status.contains(el) || !el.checkVisibility()) continue;
      const r = el.getBoundingClientRect();
      const w = Math.min(r.right, box.right) - Math.max(r.left, box.left);
      const h = Math.min(r.bottom, box.bottom) - Math.max(r.top, box.top);
      const name = el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 40) ?? "";
      if (w > 0.5 && h > 0.5) covered.push(`${el.tagName.toLowerCase()} "${name}"`);
      // A heading squeezed to make room for it is hidden as surely as one lain over.
      else if (el.tagName === "H1" && el.scrollWidth > el.clientWidth)
        covered.push(`h1 "${name}" (cut short)`);
    }
    return { shown, covered };
  });
}

function firstRowTop(page: Page): Promise<number> {
  return topOf(rows(page).first());
}

function topOf(locator: Locator): Promise<number> {
  return locator.evaluate((el) => el.getBoundingClientRect().top);
}

test("'Connecting…' covers neither the header nor the rows, and the rows stay put when it goes, after a sign-in and after a reload", async ({
  page,
  account,
}) => {
  const sockets = await holdSockets(page, { held: true });
  const connecting = page.getByRole("status").filter({ hasText: "Connecting…" });

  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  // The mailbox's code is here, so the sign-in answer carries the rows (the socket is held).
  await expect(page.getByRole("listbox", { name: "Messages", includeHidden: true })).toBeAttached();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(rows(page).first()).toBeVisible();
  await expect(connecting).toBeVisible();
  expect(await coveredByConnecting(page)).toEqual({ shown: true, covered: [] });
  const signedInTop = await firstRowTop(page);

  await sockets.release();
  await expect(connecting).toHaveCount(0);
  expect(await firstRowTop(page)).toBe(signedInTop);

  // The reload paints the kept list (its socket held): wait until the page has kept it, as it
  // does at most once a second (a reload right after the rows came could find nothing kept).
  const subject = (await rows(page).first().getByTestId("row-subject").textContent()) ?? "";
  await expect.poll(() => cached(page, subject)).toBe(true);
  sockets.hold();
  await page.reload();
  await expect(rows(page).first()).toBeVisible();
  await expect(connecting).toBeVisible();
  expect(await coveredByConnecting(page)).toEqual({ shown: true, covered: [] });
  const reloadedTop = await firstRowTop(page);

  await sockets.release();
  await expect(connecting).toHaveCount(0);
  expect(await firstRowTop(page)).toBe(reloadedTop);
});

test("'Connecting…' covers nothing in the Scheduled view or an open message either, and their headings stay put when it goes", async ({
  page,
  account,
  stack,
}) => {
  // Read already: opening it queues no change, whose count would be the bar's to tell.
  const read = unique("Read before");
  await appendChain(stack, account, {
    subject: read,
    count: 1,
    senders: ["Ann Lee"],
    daysAgo: 0,
    text: () => "read already",
    flags: () => ["\\Seen"],
  });
  const sockets = await holdSockets(page, { held: true });
  await sockets.release();
  const connecting = page.getByRole("status").filter({ hasText: "Connecting…" });
  await signIn(page, account);
  // The reload paints the list (and so the open message's subject) from the kept copy.
  await expect.poll(() => snapshotStored(page, read), { timeout: 15_000 }).toBe(true);
  await row(page, read).click();
  const subject = reader(page).getByRole("heading").first();
  await expect(subject).toBeVisible();

  sockets.hold();
  await page.reload();
  await expect(subject).toBeVisible();
  await expect(connecting).toBeVisible();
  expect(await coveredByConnecting(page)).toEqual({ shown: true, covered: [] });
  const readerTop = await topOf(subject);
  await sockets.release();
  await expect(connecting).toHaveCount(0);
  expect(await topOf(subject)).toBe(readerTop);

  sockets.hold();
  await page.goto("/?view=scheduled");
  const heading = page.getByRole("heading", { name: "Scheduled", level: 1 });
  await expect(heading).toBeVisible();
  await expect(connecting).toBeVisible();
  expect(await coveredByConnecting(page)).toEqual({ shown: true, covered: [] });
  const scheduledTop = await topOf(heading);
  await sockets.release();
  await expect(connecting).toHaveCount(0);
  await expect(page.getByText("No mail is scheduled to send later.")).toBeVisible();
  expect(await topOf(heading)).toBe(scheduledTop);
});
