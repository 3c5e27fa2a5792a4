/**
 * A scheduled or snoozed message the page has kept for a reload (the Scheduled and Snoozed views'
 * lists are persisted with the cache, web/lib/persist.ts): scheduled through the composer, or
 * snoozed from the reader, seen in its view and waited for until kept. For the specs of what a
 * reload shows before the socket connects or offline, and of what a sign-out leaves behind.
 */
import type { Page } from "@playwright/test";
import { composer, fillMessage, openCompose } from "../compose/helpers";
import type { Stack } from "../fixtures/stack";
import { expect, reader, row } from "../fixtures/test";
import { cached, listKept } from "../offline/helpers";

const DAY = 24 * 60 * 60 * 1000;

/** The Scheduled view's entry for `subject`. */
export function scheduledEntry(page: Page, subject: string) {
  return page
    .getByRole("region", { name: "Scheduled" })
    .getByRole("listitem")
    .filter({ hasText: subject });
}

/**
 * Schedules `subject` to `to` three days ahead (of the page's and the bridge's clocks both),
 * opens the Scheduled view and waits until the page has kept it: it keeps at most once a
 * second, and a page left sooner may not have.
 */
export async function keepScheduled(page: Page, stack: Stack, to: string, subject: string) {
  const dialog = await openCompose(page);
  await fillMessage(dialog, { to: [to], subject, body: "Goes later." });
  await dialog.getByRole("button", { name: "Send later" }).click();
  await page.getByRole("menuitem", { name: "Pick a date and time…" }).click();
  const picker = page.getByRole("dialog", { name: "Send later" });
  const at = Math.ceil((Math.max(Date.now(), stack.clock.now()) + 3 * DAY) / 60_000) * 60_000;
  await picker.getByLabel("Date and time").fill(new Date(at).toISOString().slice(0, 16));
  await picker.getByRole("button", { name: "Schedule send" }).click();
  await expect(composer(page)).toBeHidden();
  await page.goto("/?view=scheduled");
  await expect(scheduledEntry(page, subject)).toBeVisible();
  await expect.poll(() => cached(page, subject), { timeout: 15_000 }).toBe(true);
}

/** The Snoozed view's entry for `subject`. */
export function snoozedEntry(page: Page, subject: string) {
  return page
    .getByRole("region", { name: "Snoozed" })
    .getByRole("listitem")
    .filter({ hasText: subject });
}

/**
 * Snoozes the Inbox's `subject` until next week from the reader, opens the Snoozed view and waits
 * until the page has kept it there; then goes back to the Inbox.
 */
export async function keepSnoozed(page: Page, subject: string) {
  await page.goto("/");
  await row(page, subject).click();
  await expect(reader(page, subject)).toBeVisible();
  await page.getByRole("button", { name: "Snooze until…" }).click();
  await page.getByRole("menuitem", { name: /^Next week/ }).click();
  await expect(page.getByText(/^Snoozed until /)).toBeVisible();
  await page.goto("/?folder=Snoozed");
  await expect(snoozedEntry(page, subject)).toBeVisible();
  await expect.poll(() => listKept(page, "snoozes", subject), { timeout: 15_000 }).toBe(true);
  await page.goto("/");
}
