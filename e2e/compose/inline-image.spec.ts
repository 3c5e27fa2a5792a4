import type { MessageStructureObject } from "imapflow";
import { expect, test, unique } from "../fixtures/test";
import {
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

test.describe("compose: pasted images", () => {
  test("a pasted image shows in the body and goes out as an inline cid: part", async ({
    mailPage: page,
    account,
    stack,
  }, testInfo) => {
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 0);
    const subject = unique("A picture");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Here it is:" });

    const body = dialog.getByRole("textbox", { name: "Message" });
    await body.evaluate((el, base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], "image.png", { type: "image/png" }));
      el.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, PNG.toString("base64"));
    const img = body.getByRole("img", { name: "image.png" });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();

    for (const [who, mailbox] of [
      [bob, "INBOX"],
      [account, "\\Sent"],
    ] as const) {
      const arrived = await waitForMessage(stack, who, mailbox, subject, 30_000);
      const all = nodes(arrived.structure);
      const related = all.find((n) => n.type === "multipart/related");
      expect(related, "a multipart/related part").toBeDefined();
      const inRelated = nodes(related);
      const image = inRelated.find((n) => n.type === "image/png");
      const html = inRelated.find((n) => n.type === "text/html");
      expect(image?.disposition).toBe("inline");
      const cid = (image?.id ?? "").replace(/^<|>$/g, "");
      expect(cid).not.toBe("");
      expect(await partText(stack, who, mailbox, arrived.uid, html?.part ?? "")).toContain(
        `src="cid:${cid}"`,
      );
      const bytes = await partSha256(stack, who, mailbox, arrived.uid, image?.part ?? "");
      expect(bytes.sha256).toBe(sha256(PNG));
    }
  });
});
