/**
 * A row is read ahead for the pointer (a `message.open` sent at once, not as background
 * read-ahead) only when the user moves the pointer onto it: not when the list appears after a
 * sign-in under a pointer that has not moved since (the browser then tells the row the pointer
 * is over it all the same), where that open would compete on the bridge's connection with the
 * user's first real one. The list's own read-ahead of its top rows (background, once the page is
 * idle, web/hooks/use-open-prefetch.ts) still runs.
 */
import type { Page } from "@playwright/test";
import { type SentFrame, watchSent } from "../fixtures/opens";
import type { Account } from "../fixtures/stack";
import {
  deliver,
  expect,
  rawMessage,
  rows,
  showFolders,
  signIn,
  test,
  unique,
} from "../fixtures/test";

/** `message.open` frames sent for the pointer or a click (the read-ahead's are `background`). */
function foregroundOpens(frames: readonly SentFrame[]): number[] {
  return frames.flatMap((f) =>
    f.type === "message.open" && f.background !== true ? [f.ref?.uid ?? -1] : [],
  );
}

function backgroundOpens(frames: readonly SentFrame[]): number {
  return frames.filter((f) => f.type === "message.open" && f.background === true).length;
}

async function uidOf(page: Page, index: number): Promise<number> {
  const id = (await rows(page).nth(index).getAttribute("id")) ?? "";
  return Number(id.replace(/^msg-/, ""));
}

/** Where the middle of the list's `index`th row is on screen. */
async function rowCentre(page: Page, index: number): Promise<{ x: number; y: number }> {
  const box = await rows(page).nth(index).boundingBox();
  if (!box) throw new Error(`row ${index} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function signOut(page: Page, isPhone: boolean, account: Account): Promise<void> {
  if (isPhone) {
    await showFolders(page, isPhone);
    await page.getByRole("button", { name: `Signed in as ${account.email}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
  } else {
    await page.getByRole("button", { name: "Sign out" }).click();
  }
  await expect(page.getByLabel("Email address")).toBeVisible();
}

test.describe("reading a row ahead for the pointer", () => {
  test("does not happen for rows that come under a pointer that did not move, at sign-in or when mail arrives", async ({
    page,
    account,
    stack,
    isPhone,
  }) => {
    // Where the list's sixth row will be (below the top rows the list reads ahead by itself):
    // the pointer waits there through the next sign-in.
    await signIn(page, account);
    const under = await rowCentre(page, 5);
    await signOut(page, isPhone, account);

    const sent = watchSent(page);
    await page.goto("/");
    await page.getByLabel("Email address").fill(account.email);
    await page.getByLabel("Password").fill(account.password);
    await page.mouse.move(under.x, under.y);
    const before = sent.length;
    await page.getByLabel("Password").press("Enter");
    await expect(rows(page).nth(5)).toBeVisible({ timeout: 20_000 });
    // Once the page is idle its top rows are read ahead, in the background: by then the row
    // under the pointer would long have been asked for at once.
    await expect
      .poll(() => backgroundOpens(sent.slice(before)), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(foregroundOpens(sent.slice(before))).toEqual([]);

    // New mail slides in at the top: every row moves down one, another one under the pointer.
    const subject = unique("Slid under the pointer");
    await deliver(
      stack,
      account.email,
      rawMessage({ from: "news@example.test", to: account.email, subject }),
    );
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(subject));
    const arrived = await uidOf(page, 0);
    // The list reads its new top row ahead, in the background, once idle.
    await expect
      .poll(() => sent.some((f) => f.type === "message.open" && f.ref?.uid === arrived), {
        timeout: 15_000,
      })
      .toBe(true);
    // Before: the row that moved under the still pointer was opened for it, at once.
    expect(foregroundOpens(sent.slice(before))).toEqual([]);
  });
});

test.describe("reading a row ahead for the pointer, on a desktop", () => {
  test.skip(({ isMobile }) => isMobile, "a phone has no pointer that hovers");

  test("happens for a row the pointer is moved onto", async ({ page, account }) => {
    const sent = watchSent(page);
    await signIn(page, account);
    await expect.poll(() => backgroundOpens(sent), { timeout: 15_000 }).toBeGreaterThan(0);
    // Beyond the top rows, which the list reads ahead by itself.
    const target = 6;
    const uid = await uidOf(page, target);
    const from = await rowCentre(page, target - 1);
    const to = await rowCentre(page, target);
    await page.mouse.move(from.x, from.y - 2);
    await page.mouse.move(to.x, to.y, { steps: 4 });
    await expect.poll(() => foregroundOpens(sent)).toContain(uid);
  });
});
