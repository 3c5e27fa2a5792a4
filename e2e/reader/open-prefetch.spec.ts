import type { Page } from "@playwright/test";
import { subjectOfRow } from "../fixtures/list-view";
import { watchOpens } from "../fixtures/opens";
import type { Account } from "../fixtures/stack";
import { expect, messageList, reader, rows, test } from "../fixtures/test";

/** Signs in with Enter, so the pointer never comes near the list. */
async function signInByKeyboard(page: Page, account: Account): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByLabel("Password").press("Enter");
  await expect(rows(page).first()).toBeVisible({ timeout: 20_000 });
}

async function uidOf(page: Page, index: number): Promise<number> {
  const id = (await rows(page).nth(index).getAttribute("id")) ?? "";
  return Number(id.replace(/^msg-/, ""));
}

function subjectOf(page: Page, index: number): Promise<string> {
  return subjectOfRow(rows(page).nth(index));
}

test.describe("opening a message nobody hovered", () => {
  test.skip(({ isMobile }) => isMobile, "the keyboard's cursor is a desktop matter");

  test("the top rows and those next to the cursor are fetched while idle, so opening one asks the bridge nothing", async ({
    page,
    account,
  }) => {
    const opened = watchOpens(page);
    await signInByKeyboard(page, account);
    const second = await uidOf(page, 1);
    const fourth = await uidOf(page, 3);
    // Nobody pointed at anything: the second row is fetched ahead all the same.
    await expect.poll(() => opened.includes(second), { timeout: 10_000 }).toBe(true);

    await messageList(page).focus();
    await page.keyboard.press("j");
    // The cursor moved to the second row: the rows after it are fetched ahead too.
    await expect.poll(() => opened.includes(fourth), { timeout: 10_000 }).toBe(true);

    const subject = await subjectOf(page, 1);
    await page.keyboard.press("o");
    await expect(reader(page, subject)).toBeVisible();
    expect(opened.filter((uid) => uid === second)).toHaveLength(1);
  });
});
