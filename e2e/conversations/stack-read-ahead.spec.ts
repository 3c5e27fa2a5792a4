/**
 * A conversation at the top of the list is read ahead like its newest message (issue 15: "a
 * 100-message thread opens as fast as one"): once the list is idle after sign-in, with no click
 * and no hover, the page asks for the 49 other messages' lines in one `messages.rows` and opens
 * only the 2 unread ones its stack shows expanded, all as background read-ahead. The click on its
 * row then sends nothing for the stack: the reader shows the three unread messages' text and a
 * sender on every collapsed line from what was read ahead, and marks the three read in one
 * `flags.update`.
 */
import { type SentFrame, watchSent } from "../fixtures/opens";
import { expect, reader, row, signIn, test, unique } from "../fixtures/test";
import { appendChain } from "./thread-mail";

test.use({ seed: { inbox: 0 } });

const COUNT = 50;
const UNREAD_NEWEST = 3;

test.describe("a conversation read ahead", () => {
  test("has its lines and unread messages asked for before the click, and the click asks for none", async ({
    page,
    account,
    stack,
  }) => {
    test.setTimeout(120_000);
    const subject = unique("Harbour thread");
    // Arrived 30 days ago: older than what "Available offline" fetches in the background, so
    // every open counted here is the list's read-ahead or the reader's.
    const uids = await appendChain(stack, account, {
      subject,
      count: COUNT,
      senders: ["Gus Grant", "Hana Hill"],
      daysAgo: 30,
      text: (n) => `Log ${n} of the harbour: berth ${n} is clear.`,
      flags: (n) => (n > COUNT - UNREAD_NEWEST ? [] : ["\\Seen"]),
      arrived: new Date(Date.now() - 30 * 24 * 3600 * 1000),
    });
    expect(uids.every((uid) => uid > 0)).toBe(true);
    const uidOf = (n: number) => uids[n - 1] as number;
    const stackFrames = (frames: SentFrame[]) =>
      frames.filter(
        (f) =>
          f.type === "messages.rows" || (f.type === "message.open" && f.ref?.uid !== uidOf(COUNT)),
      );

    const sent = watchSent(page);
    await signIn(page, account);
    await expect(row(page, subject).getByTestId("conversation-count")).toHaveText(String(COUNT));

    // Before any click: one request for the 49 lines, then the 2 unread ones the stack expands,
    // as background read-ahead.
    await expect
      .poll(() =>
        stackFrames(sent).map((f) => [f.type, f.refs?.length ?? f.ref?.uid, f.background]),
      )
      .toEqual([
        ["messages.rows", COUNT - 1, true],
        ["message.open", uidOf(COUNT - 2), true],
        ["message.open", uidOf(COUNT - 1), true],
      ]);
    const atClick = sent.length;
    await row(page, subject).click();

    const convo = page.getByRole("region", { name: `Conversation of ${COUNT} messages` });
    await expect(reader(page)).toContainText(`Log ${COUNT} of the harbour`);
    for (const n of [COUNT - 2, COUNT - 1])
      await expect(convo).toContainText(`Log ${n} of the harbour: berth ${n} is clear.`);
    const collapsed = convo.locator('li > button[aria-expanded="false"]');
    await expect(collapsed).toHaveCount(2);
    await expect(collapsed.first()).toContainText("Gus Grant");
    await expect(collapsed.last()).toContainText("Gus Grant");
    await expect(collapsed.last()).toContainText(`Log ${COUNT - 3} of the harbour`);
    await expect(convo.locator('li > button[aria-expanded="true"]')).toHaveCount(2);

    // The click asked the bridge for nothing of the stack's, and the three unread messages
    // shown together are marked read in one request.
    expect(stackFrames(sent.slice(atClick))).toEqual([]);
    await expect
      .poll(() =>
        sent
          .slice(atClick)
          .filter((f) => f.type === "flags.update")
          .map((f) => [[...(f.set?.uids ?? [])].sort((a, b) => a - b), f.add]),
      )
      .toEqual([[[uidOf(COUNT - 2), uidOf(COUNT - 1), uidOf(COUNT)], ["\\Seen"]]]);
  });
});
