/**
 * Conversation view (issue 15): Alice and Bob exchange four messages through Postfix, each
 * filing their own copy in Sent as a mail client does. By default each of them
 * sees one row for the exchange counting 4 (their own replies in Sent included), which opens as
 * a stack (read ones collapsed, unread ones expanded, each with its own Forward); a fifth message
 * arrives live into the same row, which moves to the top; archiving the row archives all of its
 * Inbox messages and Undo brings them back; with the setting (on by default) off the list is
 * one row per message.
 */
import nodemailer from "nodemailer";
import {
  listMailbox,
  newAccount,
  secondBrowser,
  setUndoSeconds,
  withImap,
} from "../compose/helpers";
import { setConversationView } from "../fixtures/list-view";
import type { Account, Stack } from "../fixtures/stack";
import {
  deliver,
  expect,
  messageList,
  rawMessage,
  reader,
  row,
  rows,
  test,
  unique,
} from "../fixtures/test";

test.use({ seed: { inbox: 3 } });

/** A message of the stack, one line (collapsed) or shown (expanded). */
const COLLAPSED = 'li > button[aria-expanded="false"]';
const EXPANDED = 'li > button[aria-expanded="true"]';

/** The thread so far: each message's Message-ID, oldest first. */
const thread: string[] = [];

/**
 * `from` writes to `to` through Postfix's submission port, replying to everything before, and
 * files its copy in its own Sent (read), as a mail client does.
 */
async function exchange(stack: Stack, from: Account, to: Account, subject: string, text: string) {
  const messageId = `<${unique("conv").replace(" ", "-")}@e2e.example.test>`;
  const built = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail({
    from: from.email,
    to: to.email,
    subject: thread.length === 0 ? subject : `Re: ${subject}`,
    text,
    messageId,
    ...(thread.length > 0 ? { inReplyTo: thread.at(-1), references: thread.slice() } : {}),
  });
  const raw = built.message as Buffer;
  const smtp = nodemailer.createTransport({
    host: stack.mail.host,
    port: stack.mail.submissionPort,
    secure: false,
    requireTLS: true,
    tls: { ca: stack.mail.ca, servername: "localhost" },
    auth: { user: from.email, pass: from.password },
  });
  try {
    await smtp.sendMail({ envelope: { from: from.email, to: [to.email] }, raw });
  } finally {
    smtp.close();
  }
  await withImap(stack, from, (client) => client.append("Sent", raw, ["\\Seen"]).then(() => null));
  thread.push(messageId);
  const bare = messageId.slice(1, -1);
  await expect
    .poll(
      async () =>
        (await listMailbox(stack, to, "INBOX")).some(
          (m) => m.messageId?.replace(/^<|>$/g, "") === bare,
        ),
      { timeout: 20_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
}

/** Messages of the exchange in `mailbox` of `account`, as the IMAP server has them. */
async function inMailbox(stack: Stack, account: Account, mailbox: string, subject: string) {
  return (await listMailbox(stack, account, mailbox)).filter((m) => m.subject.endsWith(subject))
    .length;
}

test.describe("conversation view", () => {
  test("a four-message exchange is one row counting 4 for each; a fifth joins it live at the top; archive and Undo act on all of it", async ({
    mailPage: alicePage,
    account: alice,
    stack,
    browser,
    isMobile,
    hasTouch,
    viewport,
    userAgent,
    isPhone,
  }, testInfo) => {
    test.setTimeout(180_000);
    const bob = await newAccount(stack, testInfo, "bob");
    const { context, page: bobPage } = await secondBrowser(browser, alicePage, bob, {
      isMobile,
      hasTouch,
      viewport,
      userAgent,
    });
    const subject = unique("Trip to Lisbon");
    await exchange(stack, alice, bob, subject, "Shall we go in May?");
    await exchange(stack, bob, alice, subject, "May works for me.");
    await exchange(stack, alice, bob, subject, "I will book the flights.");
    await exchange(stack, bob, alice, subject, "Great, I take the hotel.");

    // Conversations are the default: each of them sees one row counting all four, their own
    // replies in Sent included.
    for (const page of [alicePage, bobPage]) {
      await expect(row(page, subject)).toHaveCount(1);
      await expect(row(page, subject)).toHaveAccessibleName(/, 4 messages, /);
      await expect(row(page, subject)).toHaveAccessibleName(/(^|, )me(, |$)/);
      await expect(row(page, subject).getByTestId("conversation-count")).toHaveText("4");
    }
    await context.close();

    // Opened, the conversation is a stack above its newest message: Alice's own two in Sent
    // (read) one line each, Bob's unread first reply expanded.
    await row(alicePage, subject).click();
    await expect(reader(alicePage)).toContainText("Great, I take the hotel.");
    const convo = alicePage.getByRole("region", { name: "Conversation of 4 messages" });
    await expect(convo.locator(COLLAPSED)).toHaveCount(2);
    await expect(convo.locator(EXPANDED)).toHaveCount(1);
    await expect(convo.locator(COLLAPSED).first()).toContainText("Shall we go in May?");
    await expect(convo.locator(COLLAPSED).last()).toContainText("I will book the flights.");
    await expect(convo.getByRole("listitem").nth(1)).toContainText("May works for me.");
    // Forward acts on the message it belongs to, not the newest.
    await convo.getByRole("button", { name: "Forward", exact: true }).click();
    const forward = alicePage.getByRole("dialog", { name: "Forward" });
    const forwarded = forward.getByRole("textbox", { name: "Message", exact: true });
    await expect(forwarded).toContainText("May works for me.");
    await expect(forwarded).not.toContainText("Great, I take the hotel.");
    await forward.getByRole("button", { name: "Discard draft" }).click();
    await expect(forward).toBeHidden();
    // ; expands all, : collapses all; the buttons do the same.
    await alicePage.keyboard.press(";");
    await expect(convo.locator(EXPANDED)).toHaveCount(3);
    await expect(convo.getByRole("listitem").first()).toContainText("Shall we go in May?");
    await alicePage.keyboard.press(":");
    await expect(convo.locator(EXPANDED)).toHaveCount(0);
    await convo.getByRole("button", { name: "Expand all" }).click();
    await expect(convo.locator(COLLAPSED)).toHaveCount(0);
    await convo.getByRole("button", { name: "Collapse all" }).click();
    await expect(convo.locator(EXPANDED)).toHaveCount(0);
    // n / p move between the conversation's messages.
    const toggles = convo.locator("li > button");
    await alicePage.keyboard.press("n");
    await expect(toggles.nth(0)).toBeFocused();
    await alicePage.keyboard.press("n");
    await expect(toggles.nth(1)).toBeFocused();
    await alicePage.keyboard.press("p");
    await expect(toggles.nth(0)).toBeFocused();
    if (isPhone) {
      await alicePage.getByRole("button", { name: "Back to messages" }).click();
      await expect(messageList(alicePage)).toBeVisible();
    }

    // Something else arrives: it is the top row; then Bob's fifth joins the conversation's row,
    // which moves back to the top.
    const other = unique("Unrelated newsletter");
    await deliver(
      stack,
      alice.email,
      rawMessage({ from: "news@example.test", to: alice.email, subject: other }),
    );
    await expect(rows(alicePage).first()).toHaveAccessibleName(new RegExp(other));
    await exchange(stack, bob, alice, subject, "Also: the museum on Sunday?");
    await expect(rows(alicePage).first()).toHaveAccessibleName(/, 5 messages, /);
    await expect(rows(alicePage).first()).toHaveAccessibleName(new RegExp(subject));
    await expect(row(alicePage, subject)).toHaveCount(1);
    expect(await inMailbox(stack, alice, "INBOX", subject)).toBe(3);

    // Archive the conversation from the list: all three of its Inbox messages go.
    await row(alicePage, subject).getByRole("checkbox").check();
    await alicePage
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button", { name: "Archive" })
      .click();
    await expect(row(alicePage, subject)).toHaveCount(0);
    await expect.poll(() => inMailbox(stack, alice, "INBOX", subject)).toBe(0);
    await expect.poll(() => inMailbox(stack, alice, "\\Archive", subject)).toBe(3);

    // Undo brings every one of them back, as one row again.
    await alicePage.getByRole("button", { name: "Undo" }).click();
    await expect(row(alicePage, subject)).toHaveCount(1);
    await expect(row(alicePage, subject)).toHaveAccessibleName(/, 5 messages, /);
    await expect.poll(() => inMailbox(stack, alice, "INBOX", subject)).toBe(3);
    expect(await inMailbox(stack, alice, "\\Archive", subject)).toBe(0);

    // Alice replies in Ferry: her copy in Sent joins the row (the \Answered the reply sets on
    // Bob's message is the Inbox event that has it asked for again).
    await setUndoSeconds(alicePage, 1);
    await row(alicePage, subject).click();
    await expect(reader(alicePage)).toContainText("Also: the museum on Sunday?");
    await reader(alicePage).getByRole("button", { name: "Reply", exact: true }).last().click();
    const reply = alicePage.getByRole("dialog", { name: "Reply" });
    await reply.getByRole("textbox", { name: "Message", exact: true }).pressSequentially("Yes!");
    await reply.getByRole("button", { name: "Send", exact: true }).click();
    await expect(alicePage.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 30_000,
    });
    if (isPhone) {
      await alicePage.getByRole("button", { name: "Back to messages" }).click();
      await expect(messageList(alicePage)).toBeVisible();
    }
    await expect(row(alicePage, subject)).toHaveAccessibleName(/, 6 messages, /);

    // With the setting off: one row per message again.
    await setConversationView(alicePage, isPhone, false);
    await expect(row(alicePage, subject)).toHaveCount(3);
    await expect(alicePage.getByTestId("conversation-count")).toHaveCount(0);
  });
});
