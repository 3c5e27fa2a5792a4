/**
 * A conversation with many unread messages opens whole (issue 15): a 50-message thread filed
 * over IMAP (each replying to the one before through In-Reply-To and References), the oldest
 * read and the other 49 unread, opens with all of its unread messages expanded, and each of them
 * shows its text as the user scrolls down the stack; none is left blank. The page opens the
 * expanded messages a few at a time, as they come near the viewport, so the bridge's rate cap
 * (at most 32 requests of a socket at once) never refuses one.
 */
import { expect, reader, row, signIn, test, unique } from "../fixtures/test";
import { appendChain } from "./thread-mail";

test.use({ seed: { inbox: 0 } });

const COUNT = 50;

test.describe("a conversation with many unread messages", () => {
  test("shows every expanded message's text, scrolling through the stack", async ({
    page,
    account,
    stack,
  }) => {
    test.setTimeout(180_000);
    const subject = unique("Rollout thread");
    await appendChain(stack, account, {
      subject,
      count: COUNT,
      senders: ["Dana Dale"],
      daysAgo: 1,
      text: (n) => `Update ${n} of the rollout: step ${n} went fine.`,
      flags: (n) => (n === 1 ? ["\\Seen"] : []),
    });

    await signIn(page, account);
    await expect(row(page, subject).getByTestId("conversation-count")).toHaveText(String(COUNT));
    await row(page, subject).click();
    await expect(reader(page)).toContainText(`Update ${COUNT} of the rollout`);

    const convo = page.getByRole("region", { name: `Conversation of ${COUNT} messages` });
    const expanded = convo.locator('li:has(> button[aria-expanded="true"])');
    // Every unread message in the stack (all but the oldest, and the newest the reader shows).
    await expect(expanded).toHaveCount(COUNT - 2);
    for (let i = 0; i < COUNT - 2; i++) {
      const item = expanded.nth(i);
      await item.scrollIntoViewIfNeeded();
      await expect(item).toContainText(`Update ${i + 2} of the rollout: step ${i + 2} went fine.`, {
        timeout: 15_000,
      });
    }
  });
});
