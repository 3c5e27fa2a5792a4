import type { MessageStructureObject } from "imapflow";
import { filePart, message, multipart, PNG, textPart } from "../fixtures/mime";
import { deliver, expect, messageList, reader, row, rows, test, unique } from "../fixtures/test";
import {
  composer,
  expectUncovered,
  fillMessage,
  leafParts,
  newAccount,
  partSha256,
  sendingToast,
  setUndoSeconds,
  sha256,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

function hasType(node: MessageStructureObject | undefined, type: string): boolean {
  if (!node) return false;
  return node.type === type || (node.childNodes ?? []).some((c) => hasType(c, type));
}

test.describe("compose: answering from the reader", () => {
  test("reply all leaves me out; forward inline keeps the attachments; forward as attachment attaches the message", async ({
    mailPage: page,
    account,
    stack,
    isMobile,
  }, testInfo) => {
    test.setTimeout(120_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 1);
    const subject = unique("Quarterly numbers");
    const raw = message({
      from: '"Carol Finance" <carol@example.test>',
      to: account.email,
      subject,
      body: multipart("mixed", [
        textPart("Numbers attached.\nPlease check the chart.\n"),
        filePart({ type: "image/png", filename: "chart.png", data: PNG }),
      ]),
    }).replace(/^To: .*$/m, (to) => `${to}\r\nCc: "Dave" <dave@elsewhere.test>, ${account.email}`);
    await deliver(stack, account.email, raw);
    await row(page, subject).click();
    await expect(reader(page, subject)).toContainText("Numbers attached.");

    // Reply all (the `a` key on a desktop).
    if (isMobile) await page.getByRole("button", { name: "Reply all", exact: true }).click();
    else await page.keyboard.press("a");
    const replyAll = composer(page, "Reply");
    await expect(replyAll).toBeVisible();
    await expect(replyAll.getByLabel("Subject", { exact: true })).toHaveValue(`Re: ${subject}`);
    await expect(replyAll.getByRole("button", { name: "Remove carol@example.test" })).toBeVisible();
    await expect(
      replyAll.getByRole("button", { name: "Remove dave@elsewhere.test" }),
    ).toBeVisible();
    await expect(replyAll.getByRole("button", { name: `Remove ${account.email}` })).toHaveCount(0);
    await replyAll.getByRole("button", { name: "Discard draft" }).click();
    await expect(replyAll).toBeHidden();

    // Forward inline (`f`): the quoted text and the attachment come along.
    if (isMobile) await page.getByRole("button", { name: "Forward", exact: true }).click();
    else await page.keyboard.press("f");
    const forward = composer(page, "Forward");
    await expect(forward).toBeVisible();
    await expect(forward.getByLabel("Subject", { exact: true })).toHaveValue(`Fwd: ${subject}`);
    await expect(forward.getByRole("textbox", { name: "Message", exact: true })).toContainText(
      "Forwarded message",
    );
    await expect(forward.getByRole("textbox", { name: "Message", exact: true })).toContainText(
      "Please check the chart.",
    );
    await expect(forward.getByRole("listitem").filter({ hasText: "chart.png" })).toBeVisible();
    // The notice of the discarded reply, still up, leaves the composer's Send uncovered.
    const discarded = page.getByRole("status").filter({ hasText: "Draft discarded" });
    await expect(discarded).toBeVisible();
    await expectUncovered(forward.getByRole("button", { name: "Send", exact: true }));
    await expect(discarded).toBeVisible();
    await fillMessage(forward, { to: [bob.email] });
    await forward.getByRole("button", { name: "Send", exact: true }).click();
    await expect(forward).toBeHidden();
    await expect(sendingToast(page)).toBeVisible();

    // Forward as attachment, from the menu.
    await page.getByRole("button", { name: "More ways to reply" }).click();
    await page.getByRole("menuitem", { name: "Forward as attachment" }).click();
    const asAttachment = composer(page, "Forward");
    await expect(asAttachment).toBeVisible();
    await expect(asAttachment.getByRole("listitem").filter({ hasText: ".eml" })).toBeVisible();
    await fillMessage(asAttachment, { to: [bob.email], subject: `Fwd: ${subject} (attached)` });
    await asAttachment.getByRole("button", { name: "Send", exact: true }).click();
    await expect(asAttachment).toBeHidden();

    const inline = await waitForMessage(stack, bob, "INBOX", `Fwd: ${subject}`);
    const chart = leafParts(inline.structure).find((p) => p.filename === "chart.png");
    expect(chart).toBeDefined();
    expect((await partSha256(stack, bob, "INBOX", inline.uid, chart?.part ?? "2")).sha256).toBe(
      sha256(PNG),
    );
    const attached = await waitForMessage(stack, bob, "INBOX", `Fwd: ${subject} (attached)`);
    expect(hasType(attached.structure, "message/rfc822")).toBe(true);
  });

  test("a closed composer gives the focus back to what opened it", async ({
    mailPage: page,
    isMobile,
  }) => {
    const compose = page.getByRole("button", { name: "Compose", exact: true });
    await compose.click();
    await composer(page).getByRole("button", { name: "Discard draft" }).click();
    await expect(composer(page)).toBeHidden();
    await expect(compose).toBeFocused();

    await rows(page).first().click();
    const replyButton = reader(page).getByRole("button", { name: "Reply", exact: true }).first();
    await replyButton.click();
    await expect(composer(page, "Reply")).toBeVisible();
    // Discarded: a saved draft would join the conversation and draw the stack anew.
    await composer(page, "Reply").getByRole("button", { name: "Discard draft" }).click();
    await expect(composer(page, "Reply")).toBeHidden();
    await expect(replyButton).toBeFocused();

    if (isMobile) return;
    await messageList(page).focus();
    await page.keyboard.press("c");
    await expect(composer(page)).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(composer(page)).toBeHidden();
    // The list has the focus again, so its keys work at once.
    await expect(messageList(page)).toBeFocused();
  });

  test("keyboard: c composes, Ctrl+Enter sends, Escape saves and closes", async ({
    mailPage: page,
    stack,
    isMobile,
  }, testInfo) => {
    test.skip(isMobile, "keyboard shortcuts are for keyboards");
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 1);

    await page.keyboard.press("c");
    const draft = composer(page);
    await expect(draft).toBeVisible();
    await expect(draft.getByLabel("To", { exact: true })).toBeFocused();
    await page.keyboard.type("Later");
    await page.keyboard.press("Escape");
    await expect(draft).toBeHidden();

    const subject = unique("Typed, never clicked");
    await page.keyboard.press("c");
    const dialog = composer(page);
    await expect(dialog.getByLabel("To", { exact: true })).toBeFocused();
    await page.keyboard.type(bob.email);
    await page.keyboard.press("Enter");
    await dialog.getByLabel("Subject", { exact: true }).fill(subject);
    await page.keyboard.press("Enter"); // on to the message
    await expect(dialog.getByRole("textbox", { name: "Message", exact: true })).toBeFocused();
    await page.keyboard.type("Sent with Ctrl+Enter.");
    await page.keyboard.press("Control+Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 20_000,
    });
    await waitForMessage(stack, bob, "INBOX", subject);
  });
});
