import { expect, reader, row, test, unique } from "../fixtures/test";
import {
  composer,
  fillMessage,
  leafParts,
  listMailbox,
  newAccount,
  openCompose,
  partText,
  secondBrowser,
  sendingToast,
  setUndoSeconds,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

test.describe("compose: a conversation", () => {
  test("Alice writes to Bob, Bob sees it live and replies, Alice gets the reply in the same thread", async ({
    mailPage: alicePage,
    account: alice,
    stack,
    browser,
    isMobile,
    hasTouch,
    viewport,
    userAgent,
  }, testInfo) => {
    test.setTimeout(120_000);
    const bob = await newAccount(stack, testInfo, "bob");
    const { context, page: bobPage } = await secondBrowser(browser, alicePage, bob, {
      isMobile,
      hasTouch,
      viewport,
      userAgent,
    });
    const errors: string[] = [];
    for (const p of [alicePage, bobPage]) p.on("pageerror", (e) => errors.push(e.message));
    await setUndoSeconds(alicePage, 2);
    await setUndoSeconds(bobPage, 2);

    // A non-ASCII subject, and a little formatting.
    const subject = unique("Grüße aus Köln – 会議の件 🚢");
    const dialog = await openCompose(alicePage);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Hello Bob,\nsee you " });
    await dialog.getByRole("button", { name: "Bold", exact: true }).click();
    await dialog
      .getByRole("textbox", { name: "Message", exact: true })
      .pressSequentially("tomorrow");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(sendingToast(alicePage)).toBeVisible();
    await expect(dialog).toBeHidden();
    await expect(alicePage.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 20_000,
    });

    // Bob's open browser shows it without a reload.
    await expect(row(bobPage, subject)).toBeVisible({ timeout: 20_000 });
    await expect(row(bobPage, subject)).toHaveAccessibleName(/^unread, /);
    await row(bobPage, subject).click();
    const article = reader(bobPage, subject);
    await expect(article).toBeVisible();
    await expect(article).toContainText(alice.email);

    // As the IMAP server has it: the subject intact, HTML with a plain-text alternative.
    const original = await waitForMessage(stack, bob, "INBOX", subject);
    expect(original.subject).toBe(subject);
    expect(original.from).toBe(alice.email);
    const parts = leafParts(original.structure);
    const plain = parts.find((p) => p.type === "text/plain");
    const html = parts.find((p) => p.type === "text/html");
    expect(plain && html).toBeTruthy();
    expect(await partText(stack, bob, "INBOX", original.uid, plain?.part ?? "1")).toContain(
      "see you tomorrow",
    );
    expect(await partText(stack, bob, "INBOX", original.uid, html?.part ?? "2")).toMatch(
      /<(b|strong)>tomorrow<\/(b|strong)>/,
    );

    // Bob replies from the reader.
    await bobPage.getByRole("button", { name: "Reply", exact: true }).click();
    const reply = composer(bobPage, "Reply");
    await expect(reply).toBeVisible();
    await expect(reply.getByLabel("Subject", { exact: true })).toHaveValue(`Re: ${subject}`);
    await expect(reply.getByRole("button", { name: `Remove ${alice.email}` })).toBeVisible();
    const replyBody = reply.getByRole("textbox", { name: "Message", exact: true });
    await expect(replyBody).toContainText("see you tomorrow");
    await expect(replyBody).toBeFocused();
    await bobPage.keyboard.type("Sounds good, see you then!");
    await reply.getByRole("button", { name: "Send", exact: true }).click();
    await expect(bobPage.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 20_000,
    });

    // Alice sees the reply arrive, threaded to her message.
    await expect(row(alicePage, `Re: ${subject}`)).toBeVisible({ timeout: 20_000 });
    const answer = await waitForMessage(stack, alice, "INBOX", `Re: ${subject}`);
    expect(answer.from).toBe(bob.email);
    expect(original.messageId).toMatch(/^<.+@.+>$/);
    expect(answer.inReplyTo).toBe(original.messageId);
    expect(answer.references).toContain(original.messageId);
    const answerText = await partText(
      stack,
      alice,
      "INBOX",
      answer.uid,
      leafParts(answer.structure).find((p) => p.type === "text/plain")?.part ?? "1",
    );
    expect(answerText).toMatch(/^Sounds good, see you then!/);
    expect(answerText).toMatch(/^> .*see you tomorrow/m);

    // Both sides keep a copy in Sent (the same message), and Bob's original is marked answered.
    const sent = await waitForMessage(stack, alice, "\\Sent", subject);
    expect(sent.messageId).toBe(original.messageId);
    await waitForMessage(stack, bob, "\\Sent", `Re: ${subject}`);
    await expect
      .poll(
        async () =>
          (await listMailbox(stack, bob, "INBOX")).find((m) => m.subject === subject)?.flags,
      )
      .toContain("\\Answered");
    expect(errors).toEqual([]);
    await context.close();
  });
});
