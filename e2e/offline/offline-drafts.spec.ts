/**
 * Drafts written offline: with no network at all, autosave keeps the draft on this device ("Saved
 * on this device", not an error); it survives a reload and reopens from the folder pane; when the
 * network is back it is saved to Drafts once, in place of the copy saved before going offline,
 * even with a second tab open.
 */
import type { Page } from "@playwright/test";
import { expectPngShown, fillMessage, openCompose, pastePng, withImap } from "../compose/helpers";
import type { Account, Stack } from "../fixtures/stack";
import { expect, folders, rows, showFolders, test, unique } from "../fixtures/test";
import { cached, serviceWorkerActive } from "./helpers";

/** The sources of the copies of `subject` in the account's Drafts folder, as IMAP has them. */
async function draftSources(stack: Stack, account: Account, subject: string): Promise<string[]> {
  return withImap(stack, account, async (client) => {
    const drafts = (await client.list()).find((m) => m.specialUse === "\\Drafts");
    if (!drafts) throw new Error("no Drafts folder");
    const lock = await client.getMailboxLock(drafts.path, { readOnly: true });
    try {
      if (!client.mailbox || client.mailbox.exists === 0) return [];
      const out: string[] = [];
      for await (const m of client.fetch("1:*", { envelope: true, source: true })) {
        if (m.envelope?.subject === subject) out.push(m.source?.toString("utf8") ?? "");
      }
      return out;
    } finally {
      lock.release();
    }
  });
}

function localDrafts(page: Page) {
  return folders(page).getByRole("listitem", { name: /^Drafts on this device/ });
}

test.describe("drafts written offline", () => {
  test("kept on this device through a reload, saved to Drafts once when back online", async ({
    mailPage: page,
    context,
    stack,
    account,
    isPhone,
  }) => {
    test.setTimeout(120_000);
    const other = await context.newPage();
    await other.goto("/");
    await expect(rows(other).first()).toBeVisible();
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    const first = (await rows(page).first().getAttribute("aria-label")) ?? "";
    await expect
      .poll(() => cached(page, first.split(", ")[1] ?? ""), { timeout: 10_000 })
      .toBe(true);

    // Online first: a copy in Drafts, with an attachment the bridge holds.
    const subject = unique("Notes from the train");
    const dialog = await openCompose(page);
    await fillMessage(dialog, {
      to: ["carol@example.test"],
      subject,
      body: "Written at the station.",
    });
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles({
      name: "timetable.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("08:15 departs\n"),
    });
    // An image pasted into the body, uploaded as an inline part.
    const body = dialog.getByRole("textbox", { name: "Message", exact: true });
    await pastePng(body);
    await expectPngShown(body.locator("img"));
    await expect(dialog.getByRole("progressbar")).toHaveCount(0);
    await expect(dialog.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible({
      timeout: 15_000,
    });
    await expect.poll(async () => (await draftSources(stack, account, subject)).length).toBe(1);

    // Offline: the next autosave stays on this device, and says so.
    await context.setOffline(true);
    await body.click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.type(" Typed in the tunnel.");
    await expect(
      dialog.getByRole("status").filter({ hasText: "Saved on this device" }),
    ).toBeVisible({ timeout: 15_000 });
    await expect(dialog.getByRole("alert")).toHaveCount(0);

    // A reload while offline: the draft is there, and opens again.
    await page.reload();
    await expect(rows(page).first()).toBeVisible();
    await showFolders(page, isPhone);
    await expect(localDrafts(page)).toHaveAccessibleName(
      "Drafts on this device, 1 draft not yet saved to Drafts",
    );
    await localDrafts(page)
      .getByRole("button", { name: `Open draft ${subject}` })
      .click();
    const reopened = page.getByRole("dialog", { name: "New message" });
    await expect(reopened.getByLabel("Subject", { exact: true })).toHaveValue(subject);
    await expect(reopened.getByRole("textbox", { name: "Message", exact: true })).toContainText(
      "Written at the station. Typed in the tunnel.",
    );
    await expect(reopened.getByText("timetable.txt")).toBeVisible();
    // Its image shows, from the bytes kept with the draft.
    await expectPngShown(
      reopened.getByRole("textbox", { name: "Message", exact: true }).locator("img"),
    );
    await expect(
      reopened.getByRole("status").filter({ hasText: "Saved on this device" }),
    ).toBeVisible({ timeout: 15_000 });
    // Nothing reached the server meanwhile.
    const before = await draftSources(stack, account, subject);
    expect(before).toHaveLength(1);
    expect(before[0]).not.toContain("Typed in the tunnel.");

    // Back online, with both tabs connecting: one copy in Drafts, the one typed offline.
    await context.setOffline(false);
    await expect(reopened.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible({
      timeout: 30_000,
    });
    await expect(localDrafts(page)).toHaveCount(0);
    await showFolders(other, isPhone);
    await expect(localDrafts(other)).toHaveCount(0);
    await expect
      .poll(async () => (await draftSources(stack, account, subject)).join("\n"), {
        timeout: 15_000,
      })
      .toContain("Typed in the tunnel.");
    const after = await draftSources(stack, account, subject);
    expect(after).toHaveLength(1);
    expect(after[0]).toContain("timetable.txt");
    expect(after[0]).toMatch(/Content-Type: image\/png/i);
  });

  test("a draft left offline is saved by whichever tab reconnects, once", async ({
    mailPage: page,
    context,
    stack,
    account,
    isPhone,
  }) => {
    test.setTimeout(120_000);
    const other = await context.newPage();
    await other.goto("/");
    await expect(rows(other).first()).toBeVisible();

    await context.setOffline(true);
    const subject = unique("Closed while offline");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { subject, body: "Nobody has this but me." });
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await expect(dialog).toBeHidden();
    await expect(
      page.getByRole("status").filter({ hasText: "the draft is saved on this device" }),
    ).toBeVisible();
    await showFolders(other, isPhone);
    await expect(localDrafts(other)).toBeVisible();

    await context.setOffline(false);
    await expect(localDrafts(other)).toHaveCount(0, { timeout: 30_000 });
    await showFolders(page, isPhone);
    await expect(localDrafts(page)).toHaveCount(0);
    await expect
      .poll(async () => (await draftSources(stack, account, subject)).length, { timeout: 15_000 })
      .toBe(1);
    const [source] = await draftSources(stack, account, subject);
    expect(source).toContain("Nobody has this but me.");
  });
});
