/**
 * The reader's conversation stack is lazy (issue 15): a 30-message thread (filed over IMAP,
 * each replying to the one before through In-Reply-To and References, all but two read) opens
 * with its read messages as one-line rows (sender and snippet, from `messages.rows`), and the
 * page asks the bridge to open (`message.open`) only the messages shown expanded: the newest and
 * the unread one (counted from the sign-in: the list reads its top conversation ahead, the same
 * opens, before the click). Expanding a collapsed message opens just that one; the "N older
 * messages" fold shows the rest of the lines without opening any. Reloaded with no network, the stack's
 * collapsed lines still name their senders and snippets, from the persisted cache.
 */
import { watchOpens } from "../fixtures/opens";
import { expect, reader, row, signIn, test, unique } from "../fixtures/test";
import { cached, serviceWorkerActive } from "../offline/helpers";
import { appendChain } from "./thread-mail";

test.use({ seed: { inbox: 0 } });

const COUNT = 30;
/** The one unread message besides the newest (1-based, oldest first). */
const UNREAD = 10;
const SENDERS = ["Ann Archer", "Ben Brook", "Cleo Crane"];

test.describe("a long conversation in the reader", () => {
  test("opens with collapsed lines from their rows and opens only the expanded messages", async ({
    page,
    context,
    account,
    stack,
  }) => {
    test.setTimeout(120_000);
    const subject = unique("Planning thread");
    // Filed over IMAP with an arrival 30 days ago: older than what "Available offline" fetches
    // in the background (the last 7 days, by message.open too), so every open counted here is
    // the reader's. All read but the UNREAD-th and the newest.
    const uidOf = await appendChain(stack, account, {
      subject,
      count: COUNT,
      senders: SENDERS,
      daysAgo: 30,
      text: (n) => `Note ${n} of the plan: item ${n} is settled.`,
      flags: (n) => (n === UNREAD || n === COUNT ? [] : ["\\Seen"]),
      arrived: new Date(Date.now() - 30 * 24 * 3600 * 1000),
    });
    expect(uidOf.every((uid) => uid > 0)).toBe(true);
    const newest = uidOf[COUNT - 1] as number;
    const unread = uidOf[UNREAD - 1] as number;

    const opened = watchOpens(page);
    await signIn(page, account);
    await expect(row(page, subject).getByTestId("conversation-count")).toHaveText(String(COUNT));
    // From the sign-in: the list's read-ahead of its top conversation opens what its stack
    // shows expanded, before the click or as it comes (the only conversation in this INBOX).
    const stackOpens = () => new Set(opened.filter((uid) => uid !== newest));
    await row(page, subject).click();
    await expect(reader(page)).toContainText(`Note ${COUNT} of the plan`);

    const convo = page.getByRole("region", { name: `Conversation of ${COUNT} messages` });
    const lines = convo.locator("li > button[aria-expanded]");
    // The oldest and the newest few are one line each, with their sender and snippet; the unread
    // one is shown; the read ones between are folded.
    const oldest = lines.first();
    await expect(oldest).toHaveAttribute("aria-expanded", "false");
    await expect(oldest).toContainText("Ann Archer");
    await expect(oldest).toContainText("Note 1 of the plan: item 1 is settled.");
    const latest = lines.last();
    await expect(latest).toHaveAttribute("aria-expanded", "false");
    await expect(latest).toContainText(SENDERS[(COUNT - 2) % SENDERS.length] as string);
    await expect(latest).toContainText(`Note ${COUNT - 1} of the plan`);
    await expect(convo).toContainText(`item ${UNREAD} is settled.`);
    await expect(convo.locator('li > button[aria-expanded="true"]')).toHaveCount(1);
    await expect(convo.getByRole("button", { name: /older messages$/ })).toHaveCount(2);

    // Besides the newest, only the message shown in full was opened: the unread one.
    expect(stackOpens()).toEqual(new Set([unread]));

    // Expanding a collapsed message opens it, and only it.
    await oldest.click();
    await expect(oldest).toHaveAttribute("aria-expanded", "true");
    const oldestItem = convo.getByRole("listitem").first();
    await expect(oldestItem.getByRole("button", { name: "Forward", exact: true })).toBeVisible();
    await expect(oldestItem).toContainText("item 1 is settled.");
    expect(stackOpens()).toEqual(new Set([unread, uidOf[0]]));

    // The folds show every line, still without opening any.
    await convo
      .getByRole("button", { name: /older messages$/ })
      .first()
      .click();
    await expect(convo.getByRole("button", { name: /older messages$/ })).toHaveCount(0);
    await expect(lines).toHaveCount(COUNT - 1);
    await expect(lines.nth(1)).toContainText("Note 2 of the plan");
    expect(stackOpens()).toEqual(new Set([unread, uidOf[0]]));

    // With no network at all, a reload shows the same collapsed lines from the cache, the
    // unread one now read (it was marked read when shown): collapsed, folded with the others.
    await expect.poll(() => cached(page, '"member-rows"'), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => cached(page, `"uid":${unread},"flags":["\\\\Seen"]`), { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    await context.setOffline(true);
    await page.reload();
    await expect(reader(page)).toContainText(`Note ${COUNT} of the plan`);
    await expect(latest).toContainText(SENDERS[(COUNT - 2) % SENDERS.length] as string);
    await expect(latest).toContainText(`Note ${COUNT - 1} of the plan`);
    await expect(convo.locator('li > button[aria-expanded="true"]')).toHaveCount(0);
    await expect(convo.getByRole("button", { name: /older messages$/ })).toHaveCount(1);
    await expect(convo).not.toContainText("This message is no longer here.");
    await context.setOffline(false);
  });
});
