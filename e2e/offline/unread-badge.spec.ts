/**
 * The Inbox's unread count in the tab title and on the favicon (web/lib/unread-badge.ts): it
 * follows the Inbox even while another folder is open, goes up with a live delivery and down as
 * the mail is read, and the favicon gets its own icon back at 0.
 */
import type { Page } from "@playwright/test";
import {
  deliver,
  expect,
  folders,
  rawMessage,
  reader,
  row,
  showFolders,
  signIn,
  test,
  unique,
} from "../fixtures/test";

test.use({ seed: { inbox: 0, sent: 2 } });

/** The favicon's address, decoded (an SVG data URL while there is unread mail). */
async function favicon(page: Page): Promise<string> {
  const href = await page.locator('link[rel~="icon"]').first().getAttribute("href");
  return decodeURIComponent(href ?? "");
}

async function openFolder(page: Page, isPhone: boolean, name: RegExp): Promise<void> {
  await showFolders(page, isPhone);
  await folders(page).getByRole("link", { name }).click();
}

test("the title and the favicon count the Inbox's unread mail from any folder", async ({
  page,
  account,
  stack,
  isPhone,
}) => {
  await signIn(page, account);
  await expect(page).toHaveTitle("Inbox – Ferry");
  expect(await favicon(page)).toBe("/icon.svg");

  await openFolder(page, isPhone, /^Sent/);
  await expect(page).toHaveTitle("Sent – Ferry");

  // Two messages reach the Inbox while Sent is open.
  const first = unique("Badge one");
  const second = unique("Badge two");
  for (const subject of [first, second]) {
    await deliver(
      stack,
      account.email,
      rawMessage({ from: "ann@example.test", to: account.email, subject, text: subject }),
    );
  }
  await expect(page).toHaveTitle("(2) Sent – Ferry");
  await expect.poll(() => favicon(page)).toMatch(/^data:image\/svg\+xml,.*>2<\/text>/s);

  // Reading one brings the count down everywhere.
  await openFolder(page, isPhone, /^Inbox/);
  await expect(page).toHaveTitle("Inbox (2) – Ferry");
  await row(page, first).click();
  await expect(reader(page, first)).toBeVisible();
  await expect(page).toHaveTitle("Inbox (1) – Ferry");
  await expect.poll(() => favicon(page)).toMatch(/>1<\/text>/);

  // And the last one clears the badge.
  if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();
  await row(page, second).click();
  await expect(reader(page, second)).toBeVisible();
  await expect(page).toHaveTitle("Inbox – Ferry");
  await expect.poll(() => favicon(page)).toBe("/icon.svg");
});
