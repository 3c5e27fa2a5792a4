/**
 * Snooze through the UI (web/components/snooze-menu.tsx, snoozed-view.tsx; the bridge's side in
 * bridge/src/snooze/service.ts): a snoozed message leaves the Inbox, waits in the Snoozed view
 * with its wake time, and comes back at the top of the Inbox, unread, live in the open tab.
 * The wake time is reached with the bridge's test-only job clock (stack.clock), never by
 * sleeping; the page's own clock is set to the same moment so that the menu's choices ("Later
 * today, …") are times the bridge agrees are in the future.
 */
import type { Page } from "@playwright/test";
import type { Account, Stack } from "../fixtures/stack";
import {
  deliver,
  expect,
  folders,
  rawMessage,
  reader,
  row,
  rows,
  showFolders,
  signIn,
  test,
  unique,
} from "../fixtures/test";

test.use({ seed: { inbox: 5 } });

const HOUR = 60 * 60 * 1000;

/**
 * Moves the bridge's job clock to the next 08:30 UTC (the browsers run in UTC:
 * playwright.config.ts), gives the page that same time, and signs in. Returns that time.
 * 08:30 makes the menu's choices fixed: "Later today" (three hours on, rounded up to the hour)
 * is 12:00.
 */
async function signInAtHalfPastEight(page: Page, stack: Stack, account: Account): Promise<number> {
  const after = stack.clock.now() + 60_000;
  const d = new Date(after);
  let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 8, 30);
  if (start < after) start += 24 * HOUR;
  stack.clock.advanceTo(start);
  await page.clock.install({ time: start });
  await signIn(page, account);
  return start;
}

async function deliverNamed(stack: Stack, account: Account, subject: string): Promise<void> {
  await deliver(
    stack,
    account.email,
    rawMessage({
      from: "robin@example.test",
      fromName: "Robin Reminder",
      to: account.email,
      subject,
      text: "Remind me later.",
    }),
  );
}

/** Opens the message and snoozes it with the menu item named `choice`. */
async function snoozeOpenMessage(page: Page, subject: string, choice: string | RegExp) {
  await row(page, subject).click();
  await expect(reader(page, subject)).toBeVisible();
  await page.getByRole("button", { name: "Snooze until…" }).click();
  await page.getByRole("menuitem", { name: choice }).click();
}

async function openFolder(page: Page, isPhone: boolean, name: string) {
  await showFolders(page, isPhone);
  await folders(page)
    .getByRole("link", { name: new RegExp(`^${name}\\b`) })
    .click();
}

function snoozedView(page: Page) {
  return page.getByRole("region", { name: "Snoozed" });
}

/** The Snoozed view's entry for `subject`. */
function snoozedEntry(page: Page, subject: string) {
  return snoozedView(page).getByRole("listitem").filter({ hasText: subject });
}

/** "Thursday, December 10, 2026", as the page's en-US locale writes the day of `at`. */
function dayOf(at: number): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeZone: "UTC" }).format(at);
}

test.describe("snooze", () => {
  test("a snoozed message waits in Snoozed with its wake time and comes back to the top of the Inbox, unread, live", async ({
    page,
    account,
    stack,
    isPhone,
  }) => {
    const subject = unique("Renew the passport");
    await deliverNamed(stack, account, subject);
    const start = await signInAtHalfPastEight(page, stack, account);
    const wakeAt = start + 3.5 * HOUR;

    await snoozeOpenMessage(page, subject, "Later today, 12:00 PM");
    await expect(page.getByText(/^Snoozed until /)).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);

    await openFolder(page, isPhone, "Snoozed");
    const entry = snoozedEntry(page, subject);
    await expect(entry).toBeVisible();
    await expect(entry).toContainText("Robin Reminder");
    await expect(entry).toContainText(
      new RegExp(`Back ${dayOf(wakeAt).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} at 12:00\\sPM`),
    );

    await openFolder(page, isPhone, "Inbox");
    await expect(rows(page).first()).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);

    // A minute before: still asleep.
    stack.clock.advanceTo(wakeAt - 60_000);
    await expect(rows(page).first()).not.toContainText(subject);
    // The wake time, with the tab open on the Inbox.
    stack.clock.advanceTo(wakeAt);
    const back = row(page, subject);
    await expect(back).toBeVisible({ timeout: 20_000 });
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(`^unread, .*${subject}`));

    await openFolder(page, isPhone, "Snoozed");
    await expect(snoozedView(page).getByText("Nothing is snoozed.")).toBeVisible();
  });

  test("Back to Inbox now brings a snoozed message back at once", async ({
    page,
    account,
    stack,
    isPhone,
  }) => {
    const subject = unique("Call the plumber");
    const other = unique("Book the dentist");
    await deliverNamed(stack, account, subject);
    await deliverNamed(stack, account, other);
    await signInAtHalfPastEight(page, stack, account);

    await snoozeOpenMessage(page, subject, /^Tomorrow, /);
    await expect(row(page, subject)).toHaveCount(0);
    await snoozeOpenMessage(page, other, /^Next week, /);
    await expect(row(page, other)).toHaveCount(0);

    await openFolder(page, isPhone, "Snoozed");
    await expect(snoozedEntry(page, other)).toBeVisible();
    await snoozedEntry(page, subject).getByRole("button", { name: "Back to Inbox now" }).click();
    await expect(snoozedEntry(page, subject)).toHaveCount(0);
    await expect(snoozedEntry(page, other)).toBeVisible();

    await openFolder(page, isPhone, "Inbox");
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(`^unread, .*${subject}`));
    await expect(row(page, other)).toHaveCount(0);
  });

  test("signing out with snoozed messages asks first, also in a tab opened later", async ({
    page,
    account,
    stack,
    isPhone,
  }) => {
    const subject = unique("Pay the gas bill");
    await deliverNamed(stack, account, subject);
    await signInAtHalfPastEight(page, stack, account);
    await snoozeOpenMessage(page, subject, /^Tomorrow, /);
    await expect(row(page, subject)).toHaveCount(0);

    // A page loaded afresh, as after a reload or in a new tab, that never opened Snoozed.
    await page.reload();
    await expect(rows(page).first()).toBeVisible();

    const signOut = async () => {
      if (isPhone) {
        await showFolders(page, isPhone);
        await page.getByRole("button", { name: /^Signed in as/ }).click();
        await page.getByRole("menuitem", { name: "Sign out" }).click();
      } else {
        await page.getByRole("button", { name: "Sign out" }).click();
      }
    };
    await signOut();
    const asking = page.getByRole("alertdialog", { name: "Before you sign out" });
    await expect(asking).toContainText(
      "You have 1 snoozed message. It still comes back to your Inbox at its time",
    );
    // Staying keeps the session.
    await asking.getByRole("button", { name: "Stay signed in" }).click();
    await expect(asking).toHaveCount(0);
    await expect(isPhone ? folders(page) : rows(page).first()).toBeVisible();
    await expect(page.getByLabel("Password")).toHaveCount(0);

    await signOut();
    await asking.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByLabel("Password")).toBeVisible();
  });
});
