import { expect, test, unique } from "../fixtures/test";
import {
  expectInlinePng,
  expectPngShown,
  fillMessage,
  newAccount,
  openCompose,
  pastePng,
  setUndoSeconds,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

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
    await pastePng(body);
    await expectPngShown(body.getByRole("img", { name: "image.png" }));

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();

    await expectInlinePng(stack, bob, "INBOX", subject);
    await expectInlinePng(stack, account, "\\Sent", subject);
  });
});
