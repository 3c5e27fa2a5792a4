/**
 * Images in the body beyond pasting: one dropped on the body goes inline like a pasted one; a
 * saved draft reopened from Drafts shows its inline images and sends them as cid: parts again;
 * the blob: URLs the composer showed them from are freed when it closes.
 */
import type { Page } from "@playwright/test";
import { expect, folders, row, showFolders, test, unique } from "../fixtures/test";
import {
  composer,
  expectInlinePng,
  expectPngShown,
  fillMessage,
  newAccount,
  openCompose,
  PNG,
  pastePng,
  setUndoSeconds,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

async function fetches(page: Page, url: string): Promise<boolean> {
  return page.evaluate(
    (u) =>
      fetch(u).then(
        () => true,
        () => false,
      ),
    url,
  );
}

test.describe("compose: images in the body", () => {
  test("an image dropped on the body goes inline, like a pasted one", async ({
    mailPage: page,
    stack,
  }, testInfo) => {
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 0);
    const subject = unique("Dropped picture");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Look:" });
    const body = dialog.getByRole("textbox", { name: "Message", exact: true });
    const dropped = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
      return dt;
    }, PNG.toString("base64"));
    await body.dispatchEvent("dragover", { dataTransfer: dropped });
    await body.dispatchEvent("drop", { dataTransfer: dropped });
    await expectPngShown(body.getByRole("img", { name: "dropped.png" }));
    await expect(dialog.getByText("Drop files here to attach them")).toHaveCount(0);

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();
    await expectInlinePng(stack, bob, "INBOX", subject);
  });

  test("a draft reopened from Drafts shows its inline image and sends it inline again", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 0);
    const subject = unique("Picture for later");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Saved with a picture:" });
    const body = dialog.getByRole("textbox", { name: "Message", exact: true });
    await pastePng(body);
    const pasted = body.getByRole("img", { name: "image.png" });
    await expectPngShown(pasted);
    const blobUrl = (await pasted.getAttribute("src")) ?? "";
    expect(blobUrl).toMatch(/^blob:/);
    await expect(dialog.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible({
      timeout: 15_000,
    });
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await expect(dialog).toBeHidden();
    // The composer's blob: URL went with it.
    expect(await fetches(page, blobUrl)).toBe(false);
    await waitForMessage(stack, account, "\\Drafts", subject);

    await showFolders(page, isPhone);
    await folders(page)
      .getByRole("link", { name: /^Drafts/ })
      .click();
    await row(page, subject).click();
    const resumed = composer(page);
    await expect(resumed.getByLabel("Subject", { exact: true })).toHaveValue(subject);
    const resumedBody = resumed.getByRole("textbox", { name: "Message", exact: true });
    await expect(resumedBody).toContainText("Saved with a picture:");
    await expectPngShown(resumedBody.getByRole("img", { name: "image.png" }));

    await resumed.getByRole("button", { name: "Send", exact: true }).click();
    await expect(resumed).toBeHidden();
    await expectInlinePng(stack, bob, "INBOX", subject);
  });
});
