/**
 * Opening a 50-message conversation costs about what opening one message does (issue 15): a
 * thread filed over IMAP (each message replying to the one before), its 3 newest unread as in
 * the benchmark's figure 12. Opening it asks the bridge for the 49 other messages' lines in one
 * `messages.rows`, and opens (`message.open`) only the 2 unread ones the stack shows expanded, as
 * read-ahead (background) sent as the lines arrive, so the bridge answers anything the user asks
 * meanwhile first (the list's read-ahead may send the same before the click: they are counted
 * from the sign-in; what of it is still unanswered at the click is asked once more in the
 * foreground); their text shows with the newest's, and every collapsed line names its
 * sender. A collapsed line opens its message only when clicked, as the user's own request.
 */
import { watchSent } from "../fixtures/opens";
import { expect, reader, row, signIn, test, unique } from "../fixtures/test";
import { appendChain } from "./thread-mail";

test.use({ seed: { inbox: 0 } });

const COUNT = 50;
const UNREAD_NEWEST = 3;

test.describe("opening a 50-message conversation", () => {
  test("asks for its lines once and opens only the expanded messages, the stack's as read-ahead", async ({
    page,
    account,
    stack,
  }) => {
    test.setTimeout(120_000);
    const subject = unique("Survey thread");
    // Arrived 30 days ago: older than what "Available offline" fetches in the background, so
    // every open counted here is the reader's.
    const uids = await appendChain(stack, account, {
      subject,
      count: COUNT,
      senders: ["Finn Ford", "Erin Eld"],
      daysAgo: 30,
      text: (n) => `Reply ${n} of the survey: site ${n} is mapped.`,
      flags: (n) => (n > COUNT - UNREAD_NEWEST ? [] : ["\\Seen"]),
      arrived: new Date(Date.now() - 30 * 24 * 3600 * 1000),
    });
    expect(uids.every((uid) => uid > 0)).toBe(true);
    const uidOf = (n: number) => uids[n - 1] as number;

    const sent = watchSent(page);
    await signIn(page, account);
    await expect(row(page, subject).getByTestId("conversation-count")).toHaveText(String(COUNT));
    await row(page, subject).click();

    const convo = page.getByRole("region", { name: `Conversation of ${COUNT} messages` });
    await expect(reader(page)).toContainText(`Reply ${COUNT} of the survey`);
    for (const n of [COUNT - 2, COUNT - 1])
      await expect(convo).toContainText(`Reply ${n} of the survey: site ${n} is mapped.`);
    const collapsed = convo.locator('li > button[aria-expanded="false"]');
    // The oldest line and the newest read one (47), each with its sender and snippet; the read
    // ones between are folded.
    await expect(collapsed.first()).toContainText("Finn Ford");
    await expect(collapsed.first()).toContainText("Reply 1 of the survey");
    await expect(collapsed.last()).toContainText("Finn Ford");
    await expect(collapsed.last()).toContainText(`Reply ${COUNT - 3} of the survey`);
    await expect(collapsed).toHaveCount(2);
    await expect(convo.locator('li > button[aria-expanded="true"]')).toHaveCount(2);

    // From the sign-in: the list's read-ahead of its top conversation may have asked before the
    // click (conversations/stack-read-ahead.spec.ts).
    const since = () => sent;
    // The 49 lines in one request (asked once more, in the foreground, when the click comes while
    // the list's background read-ahead of them is still waiting on the bridge).
    const rowsAsked = since().filter((f) => f.type === "messages.rows");
    expect(rowsAsked.map((f) => [f.refs?.length, f.background])).toEqual(
      rowsAsked.length === 2
        ? [
            [COUNT - 1, true],
            [COUNT - 1, undefined],
          ]
        : [[COUNT - 1, rowsAsked[0]?.background]],
    );
    // Besides the newest, only the two unread ones the stack shows expanded, as read-ahead; a
    // click that comes while the list's read-ahead of them is still waiting on the bridge asks
    // for them once more, in the foreground (lib/stack-opens.ts openUnreadNow).
    const stackOpens = () =>
      since().filter((f) => f.type === "message.open" && f.ref?.uid !== uidOf(COUNT));
    const expanded = [uidOf(COUNT - 2), uidOf(COUNT - 1)];
    const opened = stackOpens().map((f) => [f.ref?.uid, f.background]);
    expect(opened.slice(0, 2)).toEqual(expanded.map((uid) => [uid, true]));
    // Each of them at most once more: only those still unanswered at the click.
    const again = opened.slice(2);
    expect(new Set(again.map(([uid]) => uid)).size).toBe(again.length);
    for (const [uid, background] of again) {
      expect(expanded).toContain(uid);
      expect(background).toBeUndefined();
    }

    // A collapsed line opens its message when clicked, as the user's own request.
    await collapsed.first().click();
    await expect(convo).toContainText("Reply 1 of the survey: site 1 is mapped.");
    expect(stackOpens().map((f) => [f.ref?.uid, f.background])).toEqual([
      ...opened,
      [uidOf(1), undefined],
    ]);
  });
});
