/**
 * Actions the offline queue does not keep are refused at once while Ferry is not connected
 * (offline, or its socket still connecting), with a sentence saying why, instead of failing
 * after the 20 s request timeout: the Scheduled view's Edit, Send now and Cancel send, Snoozed's
 * "Back to Inbox now", a Settings save (the undo delay), and an attachment's Download (the
 * browser's own download would fail in its downloads list, with no word in the page). What was refused is still there
 * (the scheduled message, the snooze). Settings keeps its Filters section offline, saying what
 * it waits for. Each refusal is asserted with expect's default timeout (10 s), shorter than the
 * request timeout, so a wait for the timeout fails the test.
 */
import type { Page } from "@playwright/test";
import { composer } from "../compose/helpers";
import { holdSockets } from "../fixtures/hold-sockets";
import { openSettings } from "../fixtures/list-view";
import { filePart, message, multipart, PDF, textPart } from "../fixtures/mime";
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
import {
  keepScheduled,
  keepSnoozed,
  scheduledEntry,
  snoozedEntry,
} from "../sign-in/kept-scheduled";
import { serviceWorkerActive } from "./helpers";

test.use({ seed: { inbox: 5 } });

const NO_CONNECTION = "there is no connection to Ferry's server; try again when connected";

/** The error notice `text` shows; it is dismissed, so the next refusal is seen anew. */
async function refused(page: Page, text: string) {
  const alert = page.getByRole("alert").filter({ hasText: text });
  await expect(alert).toBeVisible();
  await alert.getByRole("button", { name: "Dismiss" }).click();
  await expect(alert).toHaveCount(0);
}

/** Edit, Send now and Cancel send on `subject`'s entry are each refused at once; it stays. */
async function scheduledRefused(page: Page, subject: string) {
  const entry = scheduledEntry(page, subject);
  await expect(entry).toBeVisible();
  await entry.getByRole("button", { name: "Send now" }).click();
  await refused(page, `Could not send it now: ${NO_CONNECTION}`);
  await entry.getByRole("button", { name: "Cancel send" }).click();
  await refused(page, `Could not take the message back: ${NO_CONNECTION}`);
  await entry.getByRole("button", { name: "Edit" }).click();
  await refused(page, `Could not take the message back: ${NO_CONNECTION}`);
  await expect(composer(page)).toHaveCount(0);
  await expect(entry).toBeVisible();
}

test("offline, what the queue does not keep is refused at once with its reason", async ({
  page,
  context,
  account,
  stack,
  isPhone,
}) => {
  test.setTimeout(150_000);
  const snoozed = unique("Renew the passport");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "robin@example.test", to: account.email, subject: snoozed, text: "Later." }),
  );
  await signIn(page, account);
  const scheduled = unique("Later");
  await keepScheduled(page, stack, account.email, scheduled);
  await keepSnoozed(page, snoozed);
  const snoozedRow = snoozedEntry(page, snoozed);
  await expect(rows(page).first()).toBeVisible();
  await expect.poll(() => serviceWorkerActive(page), { timeout: 15_000 }).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(rows(page).first()).toBeVisible();
  const settings = await openSettings(page, isPhone);
  await expect(settings.getByText("Offline: filters show when connected.")).toBeVisible();
  await settings.getByLabel("How long a sent message can be taken back").selectOption("0");
  await expect(
    settings.getByText(`The undo delay could not be saved (${NO_CONNECTION}).`),
  ).toBeVisible();

  await page.goto("/?view=scheduled");
  await scheduledRefused(page, scheduled);

  await page.goto("/?folder=Snoozed");
  await snoozedRow.getByRole("button", { name: "Back to Inbox now" }).click();
  await expect(page.getByText(`Could not bring it back (${NO_CONNECTION}).`)).toBeVisible();
  await expect(snoozedRow).toBeVisible();

  // Nothing refused was lost: back online, the scheduled message is still scheduled.
  await context.setOffline(false);
  await page.goto("/?view=scheduled");
  await expect(scheduledEntry(page, scheduled)).toBeVisible();
});

test("while the socket is connecting, the Scheduled view's actions are refused at once", async ({
  page,
  account,
  stack,
}) => {
  test.setTimeout(120_000);
  const sockets = await holdSockets(page);
  await signIn(page, account);
  const scheduled = unique("Later");
  await keepScheduled(page, stack, account.email, scheduled);
  sockets.hold();
  await page.goto("/?view=scheduled");
  await expect(page.getByRole("status").filter({ hasText: "Connecting…" })).toBeVisible();
  await scheduledRefused(page, scheduled);
});

test("offline, an attachment's Download says why it cannot be had instead of failing silently", async ({
  page,
  context,
  account,
  stack,
}) => {
  const subject = unique("Report attached");
  await deliver(
    stack,
    account.email,
    message({
      from: "dana@example.test",
      to: account.email,
      subject,
      body: multipart("mixed", [
        textPart("The report."),
        filePart({ type: "application/pdf", filename: "report.pdf", data: PDF }),
      ]),
    }),
  );
  await signIn(page, account);
  await row(page, subject).click();
  const download = reader(page, subject).getByRole("link", { name: "Download report.pdf" });
  await expect(download).toBeVisible();
  await context.setOffline(true);
  await download.click();
  await refused(page, "Offline: attachments download when Ferry is back online.");
});

test("a sign-in whose socket is held: Manage folders says what it waits for, and New folder is refused at once", async ({
  page,
  account,
  isPhone,
}) => {
  const sockets = await holdSockets(page);
  sockets.hold();
  await signIn(page, account);
  await showFolders(page, isPhone);
  await expect(folders(page).getByText("Folders show once Ferry is connected.")).toBeVisible();
  await page.getByRole("button", { name: "Manage folders" }).click();
  const manage = page.getByRole("dialog", { name: "Manage folders" });
  await expect(manage.getByText("Folders show once Ferry is connected.")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(manage).toHaveCount(0);
  await page.getByRole("button", { name: "New folder" }).click();
  const create = page.getByRole("dialog", { name: "New folder" });
  await create.getByLabel("Folder name").fill("Receipts");
  await create.getByRole("button", { name: "Create" }).click();
  await expect(create.getByText(NO_CONNECTION)).toBeVisible();
});
