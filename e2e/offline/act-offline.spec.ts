/**
 * Acting offline: with no network at all (the whole origin), archives and sends wait in the
 * browser (shown as pending, the message in the Outbox) and happen on the server once the
 * network is back: each archive once, each message delivered through Postfix once, even with
 * two tabs replaying the same queue.
 */
import type { Page } from "@playwright/test";
import {
  fillMessage,
  newAccount,
  openCompose,
  setUndoSeconds,
  waitForMessage,
} from "../compose/helpers";
import { expect, folders, row, rows, showFolders, test, unique } from "../fixtures/test";
import { cached, copies, serviceWorkerActive } from "./helpers";
import { archiveRow } from "./rows";

async function subjectOf(page: Page, index: number): Promise<string> {
  const name = (await rows(page).nth(index).getAttribute("aria-label")) ?? "";
  return name.replace(/^unread, /, "").split(", ")[1] ?? "";
}

function pending(page: Page, count: number) {
  return page
    .getByRole("status")
    .filter({ hasText: count === 1 ? "1 change waiting to sync" : `${count} changes waiting` });
}

test.describe("acting offline", () => {
  test("archive and send with no network; both happen once the network is back", async ({
    mailPage: page,
    context,
    stack,
    account,
    isPhone,
  }, testInfo) => {
    test.setTimeout(120_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 2);
    const first = await subjectOf(page, 0);
    const second = await subjectOf(page, 1);
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => cached(page, second), { timeout: 10_000 }).toBe(true);

    await context.setOffline(true);
    await page.reload();
    await expect(row(page, first)).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: /Offline|Connecting/ })).toBeVisible();

    await archiveRow(page, isPhone, first);
    await archiveRow(page, isPhone, second);
    await expect(pending(page, 2)).toBeVisible();

    const subject = unique("Written on the train");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Sent when back online." });
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(pending(page, 3)).toBeVisible();
    await showFolders(page, isPhone);
    await expect(
      folders(page).getByRole("listitem", { name: "Outbox, 1 message waiting to be sent" }),
    ).toBeVisible();
    // Nothing reached the server while offline.
    expect(await copies(stack, account, "\\Archive", first)).toBe(0);

    await context.setOffline(false);
    await expect(page.getByText("Message sent")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("status").filter({ hasText: "waiting to sync" })).toHaveCount(0);
    await expect(folders(page).getByRole("listitem", { name: /^Outbox/ })).toHaveCount(0);

    await waitForMessage(stack, account, "\\Archive", first);
    await waitForMessage(stack, account, "\\Archive", second);
    expect(await copies(stack, account, "INBOX", first)).toBe(0);
    expect(await copies(stack, account, "INBOX", second)).toBe(0);
    await waitForMessage(stack, bob, "INBOX", subject);
    await waitForMessage(stack, account, "\\Sent", subject);
    expect(await copies(stack, bob, "INBOX", subject)).toBe(1);
    expect(await copies(stack, account, "\\Sent", subject)).toBe(1);
  });

  test("two tabs offline each queue actions; on reconnect nothing is applied twice", async ({
    mailPage: page,
    context,
    stack,
    account,
    isPhone,
  }, testInfo) => {
    test.setTimeout(120_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 2);
    const other = await context.newPage();
    await other.goto("/");
    await expect(rows(other).first()).toBeVisible();
    const a = await subjectOf(page, 0);
    const b = await subjectOf(page, 1);
    const c = await subjectOf(page, 2);
    await expect(row(other, a)).toBeVisible();

    await context.setOffline(true);

    // Both tabs archive A; each archives one more. The second tab also sends a message.
    await archiveRow(page, isPhone, a);
    await archiveRow(page, isPhone, b);
    await archiveRow(other, isPhone, a);
    await archiveRow(other, isPhone, c);
    const subject = unique("From the second tab");
    const dialog = await openCompose(other);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Once only." });
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();
    // One queue for the browser: both tabs count every change waiting.
    await expect(pending(page, 5)).toBeVisible();
    await expect(pending(other, 5)).toBeVisible();

    await context.setOffline(false);
    await expect(page.getByRole("status").filter({ hasText: "waiting to sync" })).toHaveCount(0, {
      timeout: 30_000,
    });
    await expect(other.getByRole("status").filter({ hasText: "waiting to sync" })).toHaveCount(0);

    for (const s of [a, b, c]) await waitForMessage(stack, account, "\\Archive", s);
    await waitForMessage(stack, bob, "INBOX", subject);
    await waitForMessage(stack, account, "\\Sent", subject);
    for (const s of [a, b, c]) {
      expect(await copies(stack, account, "\\Archive", s)).toBe(1);
      expect(await copies(stack, account, "INBOX", s)).toBe(0);
    }
    expect(await copies(stack, bob, "INBOX", subject)).toBe(1);
    expect(await copies(stack, account, "\\Sent", subject)).toBe(1);
  });
});
