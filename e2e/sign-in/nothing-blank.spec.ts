/**
 * No view is an empty pane while Ferry connects, or while offline: each view a user can land on
 * by address or reload shows what was kept of it (the Inbox's rows, the Scheduled and Snoozed
 * views' lists, the folder pane) or says in words what it is waiting for (a folder or search
 * never opened on this device, Snoozed at a sign-in, a message not kept, Settings' addresses and filters, the folder pane at a
 * sign-in), beside the header's "Connecting…" (or the offline bar). The page's sockets are held (they reach no bridge) until the test lets them through. What
 * is kept for this is removed at sign-out like the rest of the cache. Each view's check is soft,
 * so a failure names every view that is blank, not only the first.
 */
import { holdSockets } from "../fixtures/hold-sockets";
import { openSettings } from "../fixtures/list-view";
import {
  deliver,
  expect,
  folders,
  rawMessage,
  reader,
  rows,
  showFolders,
  signIn,
  test,
  unique,
} from "../fixtures/test";
import { cached, serviceWorkerActive } from "../offline/helpers";
import { keepScheduled, keepSnoozed, scheduledEntry, snoozedEntry } from "./kept-scheduled";

test.use({ seed: { inbox: 30, archive: 3, drafts: 2 } });

test("every view shows what was kept or says what it waits for, while connecting and offline", async ({
  page,
  context,
  account,
  stack,
  isPhone,
}) => {
  test.setTimeout(180_000);
  const sockets = await holdSockets(page);
  const connecting = page.getByRole("status").filter({ hasText: "Connecting…" });
  const offlineBar = page.getByRole("status").filter({ hasText: "Offline. Showing saved mail." });
  const snoozed = unique("Renew the passport");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "robin@example.test", to: account.email, subject: snoozed, text: "Later." }),
  );
  await signIn(page, account);

  // Kept: a scheduled message and a snoozed one, each seen once in its view; the Inbox; the
  // folders; one message opened (its address names the Inbox's UIDVALIDITY). Not kept: the
  // oldest message.
  const scheduled = unique("Later");
  await keepScheduled(page, stack, account.email, scheduled);
  await keepSnoozed(page, snoozed);
  await rows(page).first().click();
  await expect(reader(page).getByRole("heading").first()).toBeVisible();
  const uidValidity = new URL(page.url()).searchParams.get("msg")?.split(":")[0];
  expect(uidValidity).toMatch(/^\d+$/);
  const notKept = `/?msg=${uidValidity}:1`;

  sockets.hold();
  await page.goto("/?view=scheduled");
  await expect.soft(scheduledEntry(page, scheduled)).toBeVisible();
  await expect.soft(connecting).toBeVisible();

  await page.goto("/?folder=Archive");
  await expect.soft(page.getByText("This folder shows once Ferry is connected.")).toBeVisible();
  await expect.soft(connecting).toBeVisible();

  await page.goto("/?q=hello");
  await expect.soft(page.getByText("Search results show once Ferry is connected.")).toBeVisible();
  await expect.soft(connecting).toBeVisible();

  await page.goto("/?folder=Snoozed");
  await expect.soft(snoozedEntry(page, snoozed)).toBeVisible();

  await page.goto(notKept);
  await expect.soft(page.getByText("This message shows once Ferry is connected.")).toBeVisible();
  if (!isPhone) await expect.soft(connecting).toBeVisible();

  await page.goto(isPhone ? "/?view=folders" : "/");
  await expect.soft(folders(page).getByRole("link", { name: /^Inbox\b/ })).toBeVisible();
  await expect.soft(folders(page).getByRole("link", { name: /^Drafts\b/ })).toBeVisible();
  let settings = await openSettings(page, isPhone);
  await expect
    .soft(settings.getByText("Your addresses show once Ferry is connected."))
    .toBeVisible();
  await expect.soft(settings.getByText("Filters show once Ferry is connected.")).toBeVisible();

  // Offline (the service worker serves the page): the same views say so.
  await sockets.release();
  await page.goto("/");
  await expect(rows(page).first()).toBeVisible();
  await expect.poll(() => serviceWorkerActive(page), { timeout: 15_000 }).toBe(true);
  await context.setOffline(true);

  await page.goto("/?view=scheduled");
  await expect.soft(scheduledEntry(page, scheduled)).toBeVisible();
  await expect.soft(offlineBar).toBeVisible();

  await page.goto("/?folder=Archive");
  await expect
    .soft(
      page.getByText("Offline: this folder is not saved on this device. It shows when connected."),
    )
    .toBeVisible();

  await page.goto("/?q=hello");
  await expect
    .soft(page.getByText("Offline: searching needs a connection. Results show when connected."))
    .toBeVisible();

  await page.goto("/?folder=Snoozed");
  await expect.soft(snoozedEntry(page, snoozed)).toBeVisible();

  await page.goto(notKept);
  await expect
    .soft(page.getByText("This message has not been saved for offline reading."))
    .toBeVisible();

  await page.goto("/");
  settings = await openSettings(page, isPhone);
  await expect
    .soft(settings.getByText("Offline: your addresses show when connected."))
    .toBeVisible();

  // Signing out leaves none of what was kept for this (the Scheduled view's list included).
  await context.setOffline(false);
  await page.goto("/");
  await expect(rows(page).first()).toBeVisible();
  await expect(connecting).toHaveCount(0);
  if (isPhone) {
    await showFolders(page, isPhone);
    await page.getByRole("button", { name: `Signed in as ${account.email}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
  } else {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
  }
  // Scheduled mail still goes after a sign-out; the dialog says so first.
  const ask = page.getByRole("alertdialog", { name: "Before you sign out" });
  await ask.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByLabel("Email address")).toBeVisible();
  await expect.poll(() => cached(page, scheduled)).toBe(false);
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(scheduled);
});

test("a sign-in whose socket is held says what the folder pane waits for, and fills it once connected", async ({
  page,
  account,
  isPhone,
}) => {
  const sockets = await holdSockets(page);
  sockets.hold();
  await signIn(page, account);
  await showFolders(page, isPhone);
  // Nothing of the folders is kept yet: the placeholders say what they wait for.
  await expect(folders(page).getByText("Folders show once Ferry is connected.")).toBeVisible();
  // Nor of Snoozed.
  await page.goto("/?folder=Snoozed");
  await expect(page.getByText("Snoozed mail shows once Ferry is connected.")).toBeVisible();
  // (Back to the Inbox first: an account with nothing snoozed has no Snoozed folder to stay in.)
  await page.goto("/");
  await showFolders(page, isPhone);
  await expect(folders(page).getByText("Folders show once Ferry is connected.")).toBeVisible();
  await sockets.release();
  await expect(folders(page).getByRole("link", { name: /^Inbox\b/ })).toBeVisible();
  await expect(folders(page).getByText("Folders show once Ferry is connected.")).toHaveCount(0);
});
