/**
 * A conversation with many unread messages opens whole (issue 15): a 50-message thread filed
 * over IMAP (each replying to the one before through In-Reply-To and References), the oldest
 * read and the other 49 unread, opens with all of its unread messages expanded, and each of them
 * shows its text as the user scrolls down the stack; none is left blank. The page opens the
 * expanded messages a few at a time, as they come near the viewport, so the bridge's rate cap
 * (at most 32 requests of a socket at once) never refuses one.
 */
import { randomBytes } from "node:crypto";
import { withImap } from "../compose/helpers";
import { expect, reader, row, signIn, test, unique } from "../fixtures/test";

test.use({ seed: { inbox: 0 } });

const COUNT = 50;

function threadMessage(to: string, subject: string, n: number, ids: string[]): string {
  const parents = ids.slice(0, n - 1);
  return [
    `From: "Dana Dale" <dana@example.test>`,
    `To: <${to}>`,
    `Subject: ${n === 1 ? subject : `Re: ${subject}`}`,
    `Date: ${new Date(Date.now() - 24 * 3600 * 1000 + n * 60_000).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${ids[n - 1] as string}`,
    ...(parents.length > 0
      ? [`In-Reply-To: ${parents.at(-1)}`, `References: ${parents.join(" ")}`]
      : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Update ${n} of the rollout: step ${n} went fine.`,
    "",
  ].join("\r\n");
}

test.describe("a conversation with many unread messages", () => {
  test("shows every expanded message's text, scrolling through the stack", async ({
    page,
    account,
    stack,
  }) => {
    test.setTimeout(180_000);
    const subject = unique("Rollout thread");
    const ids = Array.from(
      { length: COUNT },
      (_, i) => `<rollout-${i + 1}.${randomBytes(4).toString("hex")}@e2e.example.test>`,
    );
    await withImap(stack, account, async (client) => {
      for (let n = 1; n <= COUNT; n++) {
        const raw = threadMessage(account.email, subject, n, ids);
        await client.append("INBOX", raw, n === 1 ? ["\\Seen"] : []);
      }
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
