import { expect, folders, row, showFolders, test, unique } from "../fixtures/test";
import { composer, fillMessage, listMailbox, openCompose } from "./helpers";

test.use({ seed: { inbox: 3 } });

test.describe("compose: drafts", () => {
  test("a draft saves itself, survives a reload, resumes from Drafts, and Discard deletes it", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    test.setTimeout(90_000);
    const subject = unique("Half-written thoughts");
    const dialog = await openCompose(page);
    await fillMessage(dialog, {
      to: ["carol@example.test"],
      subject,
      body: "First paragraph.",
    });
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles({
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("draft attachment\n"),
    });
    await expect(dialog.getByText("notes.txt")).toBeVisible();
    // Autosave, a few seconds after the last change.
    await expect(dialog.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible({
      timeout: 15_000,
    });

    // It is on the server, once.
    await expect
      .poll(async () =>
        (await listMailbox(stack, account, "\\Drafts")).filter((m) => m.subject === subject),
      )
      .toHaveLength(1);

    await page.reload();
    await expect(composer(page)).toHaveCount(0);
    await showFolders(page, isPhone);
    await folders(page)
      .getByRole("link", { name: /^Drafts/ })
      .click();
    await expect(page.getByRole("heading", { name: "Drafts", level: 1 })).toBeVisible();
    await row(page, subject).click();

    const resumed = composer(page);
    await expect(resumed).toBeVisible();
    await expect(resumed.getByLabel("Subject", { exact: true })).toHaveValue(subject);
    await expect(resumed.getByRole("button", { name: "Remove carol@example.test" })).toBeVisible();
    const body = resumed.getByRole("textbox", { name: "Message", exact: true });
    await expect(body).toContainText("First paragraph.");
    await expect(resumed.getByText("notes.txt")).toBeVisible();

    // Editing it saves again, replacing the copy before.
    await body.click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("Second paragraph.");
    await expect(resumed.getByRole("status").filter({ hasText: "Saving…" })).toBeVisible();
    await expect(resumed.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible({
      timeout: 15_000,
    });
    await expect
      .poll(async () =>
        (await listMailbox(stack, account, "\\Drafts")).filter((m) => m.subject === subject),
      )
      .toHaveLength(1);

    await resumed.getByRole("button", { name: "Discard draft" }).click();
    await expect(resumed).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "Draft discarded" })).toBeVisible();
    await expect
      .poll(async () =>
        (await listMailbox(stack, account, "\\Drafts")).filter((m) => m.subject === subject),
      )
      .toHaveLength(0);
    await expect(row(page, subject)).toHaveCount(0);
  });

  test("closing the composer keeps the draft", async ({ mailPage: page, account, stack }) => {
    const subject = unique("For later");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { subject, body: "Not finished yet" });
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
    await expect
      .poll(async () =>
        (await listMailbox(stack, account, "\\Drafts")).filter((m) => m.subject === subject),
      )
      .toHaveLength(1);
  });
});
