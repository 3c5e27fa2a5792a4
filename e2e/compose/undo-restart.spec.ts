/**
 * Mail held for Undo survives a restart of the bridge (bridge/src/compose/outbox.ts: the held
 * message is a job in the state store, stack.restartBridge() starts a new bridge on the same
 * store): the open tab reconnects by itself without a sign-in, the message is delivered exactly
 * once, and Undo pressed after the restart still brings the draft back and nothing is sent.
 */
import type { Page } from "@playwright/test";
import type { Stack } from "../fixtures/stack";
import { expect, folders, test, unique } from "../fixtures/test";
import {
  composer,
  fillMessage,
  listMailbox,
  newAccount,
  openCompose,
  sendingToast,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

/** Sets the undo-send delay to its longest (30 s) in Settings, so a restart fits inside it. */
async function longestUndo(page: Page, isPhone: boolean) {
  if (isPhone) {
    await page.getByRole("button", { name: "Show folders" }).click();
    await page.getByRole("button", { name: /^Signed in as/ }).click();
    await page.getByRole("menuitem", { name: "Settings" }).click();
  } else {
    await page.getByRole("button", { name: "Settings", exact: true }).click();
  }
  const dialog = page.getByRole("dialog", { name: "Settings" });
  const delay = dialog.getByLabel("How long a sent message can be taken back");
  await delay.selectOption({ label: "30 seconds" });
  await expect(delay).toHaveValue("30");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  // On a phone the folder list is showing: back to the Inbox, where Compose is.
  if (isPhone)
    await folders(page)
      .getByRole("link", { name: /^Inbox\b/ })
      .click();
}

/** Restarts the bridge; the tab shows it is connected again and was not signed out. */
async function restartWithTabOpen(page: Page, stack: Stack) {
  await stack.restartBridge();
  await expect(page.getByLabel("Password")).toHaveCount(0);
  await expect(
    page.getByRole("listbox", { name: "Messages" }).or(folders(page)).first(),
  ).toBeVisible();
}

async function countIn(
  stack: Stack,
  account: { email: string; password: string },
  mailbox: string,
  subject: string,
) {
  return (await listMailbox(stack, account, mailbox)).filter((m) => m.subject === subject).length;
}

test.describe("compose: undo across a bridge restart", () => {
  test("a message held for Undo while the bridge restarts is delivered exactly once; the tab resumes signed in", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await longestUndo(page, isPhone);
    const subject = unique("Held across a restart");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Still on its way." });
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(sendingToast(page).getByRole("button", { name: "Undo" })).toBeVisible();

    await restartWithTabOpen(page, stack);
    expect(await countIn(stack, bob, "INBOX", subject)).toBe(0);
    // The rest of the undo window, on the bridge's clock rather than by waiting.
    stack.clock.advance(30_000);
    await waitForMessage(stack, bob, "INBOX", subject);
    // The resumed tab hears the outcome from the new bridge.
    await expect(page.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 20_000,
    });
    expect(await countIn(stack, bob, "INBOX", subject)).toBe(1);
    expect(await countIn(stack, account, "\\Sent", subject)).toBe(1);
  });

  test("Undo after the restart brings the draft back and nothing is sent", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await longestUndo(page, isPhone);
    const subject = unique("Thought better of it");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Let me rephrase." });
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    const undo = sendingToast(page).getByRole("button", { name: "Undo" });
    await expect(undo).toBeVisible();

    await restartWithTabOpen(page, stack);
    await undo.click();
    const back = composer(page);
    await expect(back).toBeVisible();
    await expect(back.getByLabel("Subject", { exact: true })).toHaveValue(subject);
    await expect(back.getByRole("button", { name: `Remove ${bob.email}` })).toBeVisible();
    await expect(back.getByRole("textbox", { name: "Message", exact: true })).toContainText(
      "Let me rephrase.",
    );

    // Past its time, and past a message sent after it: it never went.
    stack.clock.advance(30_000);
    await back.getByLabel("Subject", { exact: true }).fill(`${subject} (second try)`);
    await back.getByRole("button", { name: "Send", exact: true }).click();
    await expect(sendingToast(page)).toBeVisible();
    stack.clock.advance(30_000);
    await waitForMessage(stack, bob, "INBOX", `${subject} (second try)`);
    expect(await countIn(stack, bob, "INBOX", subject)).toBe(0);
    expect(await countIn(stack, account, "\\Sent", subject)).toBe(0);
  });
});
