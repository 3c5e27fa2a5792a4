import {
  countText,
  listTotal,
  messagesInRow,
  messagesText,
  subjectOfRow,
} from "../fixtures/list-view";
import { expect, messageList, reader, row, rows, test } from "../fixtures/test";

test.describe("keyboard shortcuts (Gmail's set)", () => {
  test.skip(({ isMobile }) => isMobile, "phones have no keyboard shortcuts to speak of");

  test("j/k move, o/Enter open, u goes back, x selects, s stars, Shift+I/U read state", async ({
    mailPage: page,
  }) => {
    const list = messageList(page);
    await list.focus();
    const secondSubject = await subjectOfRow(rows(page).nth(1));
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    await page.keyboard.press("o");
    await expect(reader(page, secondSubject)).toBeVisible();
    // j in the reader opens the next message.
    const third = await subjectOfRow(rows(page).nth(2));
    await page.keyboard.press("j");
    await expect(reader(page, third)).toBeVisible();
    await page.keyboard.press("k");
    await expect(reader(page, secondSubject)).toBeVisible();

    await page.keyboard.press("Shift+U");
    await expect(rows(page).nth(1)).toHaveAccessibleName(/^unread, /);
    await page.keyboard.press("Shift+I");
    await expect(rows(page).nth(1)).not.toHaveAccessibleName(/^unread, /);
    await page.keyboard.press("s");
    await expect(rows(page).nth(1)).toHaveAccessibleName(/, starred/);
    await page.keyboard.press("s");
    await expect(rows(page).nth(1)).not.toHaveAccessibleName(/, starred/);

    await page.keyboard.press("u");
    await expect(reader(page)).toHaveCount(0);
    await page.keyboard.press("x");
    await expect(page.getByText("1 selected")).toBeVisible();
    await expect(rows(page).nth(1)).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("x");
    await expect(page.getByText("1 selected")).toHaveCount(0);
    await page.keyboard.press("Enter");
    await expect(reader(page, secondSubject)).toBeVisible();
  });

  test("e archives and # deletes the open message, with Undo", async ({ mailPage: page }) => {
    const total = await listTotal(page, "conversations");
    await messageList(page).focus();
    const subject = await subjectOfRow(rows(page).first());
    await page.keyboard.press("o");
    await expect(reader(page, subject)).toBeVisible();
    await page.keyboard.press("e");
    await expect(
      page.getByRole("status").filter({ hasText: "Conversation archived" }),
    ).toBeVisible();
    await expect(messageList(page).getByRole("option", { name: subject })).toHaveCount(0);
    // The next message opens in its place.
    await expect(reader(page)).toBeVisible();
    const next = (await reader(page).getByRole("heading", { level: 2 }).textContent()) ?? "";
    // # deletes all of the open conversation's messages here.
    const n = await messagesInRow(row(page, next));
    await page.keyboard.press("#");
    await expect(
      page.getByRole("status").filter({
        hasText: messagesText(n, "Message moved to Trash", (k) => `${k} messages moved to Trash`),
      }),
    ).toBeVisible();
    await expect(messageList(page).getByRole("option", { name: next })).toHaveCount(0);
    await expect(
      page.getByText(countText(total - 2, "conversations"), { exact: true }),
    ).toBeVisible();
  });

  test("a row opened with a click, then archived: the list keeps the focus and its keys", async ({
    mailPage: page,
  }) => {
    const subject = await subjectOfRow(rows(page).first());
    await rows(page).first().click();
    await expect(reader(page, subject)).toBeVisible();
    await page.keyboard.press("e");
    await expect(messageList(page).getByRole("option", { name: subject })).toHaveCount(0);
    // The row that had the click is gone; the arrows and Enter still work the list.
    await expect(messageList(page)).toBeFocused();
    const third = await subjectOfRow(rows(page).nth(1));
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect(reader(page, third)).toBeVisible();
  });

  test("/ searches, g i/g s/g d/g t go places, ? lists them all", async ({ mailPage: page }) => {
    await expect(
      page.getByRole("navigation", { name: "Folders" }).getByRole("link", { name: /^Sent/ }),
    ).toBeVisible();
    await page.keyboard.press("g");
    await page.keyboard.press("t");
    await expect(page.getByRole("heading", { name: "Sent", level: 1 })).toBeVisible();
    await page.keyboard.press("g");
    await page.keyboard.press("d");
    await expect(page.getByRole("heading", { name: "Drafts", level: 1 })).toBeVisible();
    await page.keyboard.press("g");
    await page.keyboard.press("s");
    await expect(page).toHaveURL(/q=is%3Astarred|folder=/);
    await page.keyboard.press("g");
    await page.keyboard.press("i");
    await expect(page.getByRole("heading", { name: "Inbox", level: 1 })).toBeVisible();

    await page.keyboard.press("/");
    await expect(page.getByRole("searchbox", { name: "Search mail" })).toBeFocused();
    await page.keyboard.press("Escape");

    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(dialog).toBeVisible();
    for (const text of [
      "Next message",
      "Previous message",
      "Archive",
      "Go to Inbox",
      "Go to Sent",
      "Mark as unread",
      // The reader's conversation keys (conversation-stack.tsx) are listed too.
      "Next message in the conversation",
      "Previous message in the conversation",
      "Expand all messages of the conversation",
      "Collapse all messages of the conversation",
    ]) {
      await expect(dialog.getByText(text, { exact: true })).toBeVisible();
    }
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
  });
});
