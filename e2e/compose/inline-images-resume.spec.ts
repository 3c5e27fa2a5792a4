/**
 * Images in the body beyond pasting: one dropped on the body goes inline like a pasted one; a
 * saved draft reopened from Drafts shows its inline images and sends them as cid: parts again;
 * the blob: URLs the composer showed them from are freed when it closes.
 */
import type { Locator, Page } from "@playwright/test";
import type { MessageStructureObject } from "imapflow";
import type { Account, Stack } from "../fixtures/stack";
import { expect, folders, row, showFolders, test, unique } from "../fixtures/test";
import {
  composer,
  fillMessage,
  newAccount,
  openCompose,
  partSha256,
  partText,
  setUndoSeconds,
  sha256,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

/** A 2×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP4z8DAwPAfAAcAAf9+CLHQAAAAAElFTkSuQmCC",
  "base64",
);

function nodes(node: MessageStructureObject | undefined): MessageStructureObject[] {
  if (!node) return [];
  return [node, ...(node.childNodes ?? []).flatMap(nodes)];
}

/** The message arrived with the PNG as an inline part whose Content-ID its HTML shows. */
async function expectInlinePng(
  stack: Stack,
  who: Account,
  mailbox: string,
  subject: string,
): Promise<void> {
  const arrived = await waitForMessage(stack, who, mailbox, subject, 30_000);
  const all = nodes(arrived.structure);
  const related = all.find((n) => n.type === "multipart/related");
  expect(related, "a multipart/related part").toBeDefined();
  const inRelated = nodes(related);
  const images = inRelated.filter((n) => n.type === "image/png");
  expect(images).toHaveLength(1);
  const image = images[0];
  const html = inRelated.find((n) => n.type === "text/html");
  expect(image?.disposition).toBe("inline");
  const cid = (image?.id ?? "").replace(/^<|>$/g, "");
  expect(cid).not.toBe("");
  expect(await partText(stack, who, mailbox, arrived.uid, html?.part ?? "")).toContain(
    `src="cid:${cid}"`,
  );
  // and not a second copy as an attachment
  expect(all.filter((n) => n.type === "image/png")).toHaveLength(1);
  const bytes = await partSha256(stack, who, mailbox, arrived.uid, image?.part ?? "");
  expect(bytes.sha256).toBe(sha256(PNG));
}

async function pastePng(body: Locator): Promise<void> {
  await body.evaluate((el, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "image.png", { type: "image/png" }));
    el.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, PNG.toString("base64"));
}

async function expectShown(img: Locator): Promise<void> {
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);
}

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
    await expectShown(body.getByRole("img", { name: "dropped.png" }));
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
    await expectShown(pasted);
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
    await expectShown(resumedBody.getByRole("img", { name: "image.png" }));

    await resumed.getByRole("button", { name: "Send", exact: true }).click();
    await expect(resumed).toBeHidden();
    await expectInlinePng(stack, bob, "INBOX", subject);
  });
});
