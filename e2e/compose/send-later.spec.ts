/**
 * Send later through the UI (web/components/compose/send-later.tsx, scheduled-view.tsx,
 * sign-out-dialog.tsx; the bridge's durable outbox in bridge/src/compose/outbox.ts): a message
 * scheduled from the composer waits in the Scheduled view and arrives once at its time, live in
 * the open tab; it can be edited, sent now or cancelled from the Scheduled view; signing out
 * says what happens to it first, and it still goes at its time afterwards.
 * Its time is reached with the bridge's test-only job clock (stack.clock), never by sleeping;
 * the page's clock starts at the same moment, so that times picked in the page are times the
 * bridge agrees are in the future. Clock steps stay under an hour (sessions idle out at 12 h of
 * the same clock).
 */
import type { Page } from "@playwright/test";
import type { Account, Stack } from "../fixtures/stack";
import { expect, folders, showFolders, signIn, test, unique } from "../fixtures/test";
import {
  composer,
  fillMessage,
  listMailbox,
  newAccount,
  openCompose,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Gives the page the bridge's clock (or `at`, later than it) and signs in. */
async function signInAt(page: Page, stack: Stack, account: Account, at = stack.clock.now()) {
  await page.clock.install({ time: at });
  await signIn(page, account);
}

/** `minutes` from the bridge's now, on the minute: a time the date-time picker can name. */
function minutesAhead(stack: Stack, minutes: number): number {
  return Math.ceil((stack.clock.now() + minutes * MINUTE) / MINUTE) * MINUTE;
}

/** The `datetime-local` value of `at` (the browsers run in UTC: playwright.config.ts). */
function pickerValue(at: number): string {
  return new Date(at).toISOString().slice(0, 16);
}

/** "Thursday, December 10, 2026", as the page's en-US locale writes the day of `at`. */
function dayOf(at: number): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeZone: "UTC" }).format(at);
}

/** "8:00 AM" as a pattern (the space before AM may be a narrow no-break space). */
function timeOf(at: number): RegExp {
  const text = new Intl.DateTimeFormat("en-US", { timeStyle: "short", timeZone: "UTC" }).format(at);
  return new RegExp(text.replace(/\s/g, "\\s"));
}

/** Schedules the open composer's message with the date-time picker. */
async function scheduleAt(dialog: ReturnType<typeof composer>, page: Page, at: number) {
  await dialog.getByRole("button", { name: "Send later" }).click();
  await page.getByRole("menuitem", { name: "Pick a date and time…" }).click();
  const picker = page.getByRole("dialog", { name: "Send later" });
  await picker.getByLabel("Date and time").fill(pickerValue(at));
  await picker.getByRole("button", { name: "Schedule send" }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole("status").filter({ hasText: `Scheduled for ${dayOf(at)}` }),
  ).toBeVisible();
}

/** Opens the Scheduled view from the folder pane, whose entry is named `name`. */
async function openScheduled(page: Page, isPhone: boolean, name: string | RegExp = /^Scheduled\b/) {
  await showFolders(page, isPhone);
  await folders(page).getByRole("link", { name }).click();
  await expect(scheduledView(page)).toBeVisible();
}

function scheduledView(page: Page) {
  return page.getByRole("region", { name: "Scheduled" });
}

function scheduledEntry(page: Page, subject: string) {
  return scheduledView(page).getByRole("listitem").filter({ hasText: subject });
}

async function countIn(stack: Stack, account: Account, mailbox: string, subject: string) {
  return (await listMailbox(stack, account, mailbox)).filter((m) => m.subject === subject).length;
}

test.describe("compose: send later", () => {
  test("a scheduled message waits in Scheduled and arrives once at its time, with the tab open", async ({
    page,
    account,
    stack,
    isPhone,
  }, testInfo) => {
    const bob = await newAccount(stack, testInfo, "bob");
    await signInAt(page, stack, account);
    const subject = unique("Quarterly numbers");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Figures attached tomorrow." });
    const sendAt = minutesAhead(stack, 30);
    await scheduleAt(dialog, page, sendAt);

    await openScheduled(page, isPhone, "Scheduled, 1 message");
    const entry = scheduledEntry(page, subject);
    await expect(entry).toContainText(`To: ${bob.email}`);
    await expect(entry).toContainText(dayOf(sendAt));
    await expect(entry).toContainText(timeOf(sendAt));

    // A minute before its time: not sent.
    stack.clock.advanceTo(sendAt - MINUTE);
    await expect(entry).toBeVisible();
    expect(await countIn(stack, bob, "INBOX", subject)).toBe(0);

    // Its time, with the tab open on Scheduled: it goes, and leaves the list.
    stack.clock.advanceTo(sendAt);
    await waitForMessage(stack, bob, "INBOX", subject);
    await expect(entry).toHaveCount(0, { timeout: 20_000 });
    await expect(
      scheduledView(page).getByText("No mail is scheduled to send later."),
    ).toBeVisible();
    expect(await countIn(stack, bob, "INBOX", subject)).toBe(1);
    expect(await countIn(stack, account, "\\Sent", subject)).toBe(1);
    // Its saved draft went with it.
    expect(await countIn(stack, account, "\\Drafts", subject)).toBe(0);
  });

  test("on a Monday, the Monday choice says it is next week's", async ({
    page,
    account,
    stack,
  }) => {
    const d = new Date(stack.clock.now() + DAY);
    let monday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 10);
    while (new Date(monday).getUTCDay() !== 1) monday += DAY;
    await signInAt(page, stack, account, monday);
    const dialog = await openCompose(page);
    await dialog.getByRole("button", { name: "Send later" }).click();
    await expect(page.getByRole("menuitem", { name: /^Tomorrow morning, Tue 8:00/ })).toBeVisible();
    await expect(
      page.getByRole("menuitem", { name: /^Next Monday morning, Mon 8:00/ }),
    ).toBeVisible();
  });

  test("Edit, Cancel send and Send now from the Scheduled view; the quick choices", async ({
    page,
    account,
    stack,
    isPhone,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    // The page starts on the next Wednesday, 10:00 (after the bridge's now): the quick choices
    // are then Thursday and Monday, 8:00.
    const now = stack.clock.now();
    const d = new Date(now + DAY);
    let wednesday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 10);
    while (new Date(wednesday).getUTCDay() !== 3) wednesday += DAY;
    await signInAt(page, stack, account, wednesday);
    const thursday8 = wednesday + DAY - 2 * 60 * MINUTE;
    const monday8 = thursday8 + 4 * DAY;

    const first = unique("Team lunch");
    let dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject: first, body: "Pizza or tacos?" });
    await dialog.getByRole("button", { name: "Send later" }).click();
    await page.getByRole("menuitem", { name: /^Monday morning, Mon 8:00/ }).click();
    await expect(dialog).toBeHidden();

    const second = unique("Parking permit");
    dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject: second, body: "Renew by Friday." });
    await dialog.getByRole("button", { name: "Send later" }).click();
    await page.getByRole("menuitem", { name: /^Tomorrow morning, Thu 8:00/ }).click();
    await expect(dialog).toBeHidden();

    await openScheduled(page, isPhone);
    await expect(scheduledEntry(page, first)).toContainText(dayOf(monday8));
    await expect(scheduledEntry(page, first)).toContainText(timeOf(monday8));
    await expect(scheduledEntry(page, second)).toContainText(dayOf(thursday8));
    // By the time they go.
    await expect(scheduledView(page).getByRole("listitem").first()).toContainText(second);

    // Edit: back in the composer, no longer scheduled; scheduled again with a new subject.
    await scheduledEntry(page, first).getByRole("button", { name: "Edit" }).click();
    const back = composer(page);
    await expect(back.getByLabel("Subject", { exact: true })).toHaveValue(first);
    await expect(back.getByRole("button", { name: `Remove ${bob.email}` })).toBeVisible();
    await expect(scheduledEntry(page, first)).toHaveCount(0);
    const edited = `${first} (moved)`;
    await back.getByLabel("Subject", { exact: true }).fill(edited);
    // (an hour after the page's start: in the future for the page and the bridge)
    await scheduleAt(back, page, wednesday + 60 * MINUTE);
    await expect(scheduledEntry(page, edited)).toBeVisible();
    // The edit replaced its saved draft: one copy in Drafts, the edited one.
    await expect
      .poll(async () =>
        (await listMailbox(stack, account, "\\Drafts"))
          .map((m) => m.subject)
          .filter((s) => s.startsWith(first)),
      )
      .toEqual([edited]);

    // Cancel send: gone from Scheduled (also as the bridge lists it afresh), kept in Drafts.
    await scheduledEntry(page, second).getByRole("button", { name: "Cancel send" }).click();
    await expect(page.getByText("Not sent. The message is kept in Drafts.")).toBeVisible();
    await expect(scheduledEntry(page, second)).toHaveCount(0);
    await page.reload();
    await expect(scheduledView(page)).toBeVisible();
    await expect(scheduledEntry(page, edited)).toBeVisible();
    await expect(scheduledEntry(page, second)).toHaveCount(0);
    expect(await countIn(stack, account, "\\Drafts", second)).toBe(1);

    // Send now: it goes at once, once.
    await scheduledEntry(page, edited).getByRole("button", { name: "Send now" }).click();
    await waitForMessage(stack, bob, "INBOX", edited);
    await expect(scheduledEntry(page, edited)).toHaveCount(0);
    expect(await countIn(stack, bob, "INBOX", edited)).toBe(1);
    expect(await countIn(stack, bob, "INBOX", second)).toBe(0);
  });

  test("signing out with scheduled mail says it still goes, offers to review it, and it does go", async ({
    page,
    account,
    stack,
    isPhone,
  }, testInfo) => {
    const bob = await newAccount(stack, testInfo, "bob");
    await signInAt(page, stack, account);
    const subject = unique("Happy birthday");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Many happy returns!" });
    const sendAt = minutesAhead(stack, 20);
    await scheduleAt(dialog, page, sendAt);

    // A page loaded afresh, that never showed Scheduled.
    await page.reload();
    await expect(page.getByRole("listbox", { name: "Messages" })).toBeVisible();
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
    const ask = page.getByRole("alertdialog", { name: "Before you sign out" });
    await expect(ask).toContainText("You have 1 message scheduled to send later.");
    await expect(ask).toContainText("It still goes at its time");
    await ask.getByRole("button", { name: "Review scheduled" }).click();
    await expect(ask).toBeHidden();
    await expect(scheduledEntry(page, subject)).toBeVisible();

    await signOut();
    await ask.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByLabel("Password")).toBeVisible();

    // Signed out, it still goes at its time, once.
    stack.clock.advanceTo(sendAt);
    await waitForMessage(stack, bob, "INBOX", subject);
    expect(await countIn(stack, bob, "INBOX", subject)).toBe(1);
    expect(await countIn(stack, account, "\\Sent", subject)).toBe(1);
  });
});
