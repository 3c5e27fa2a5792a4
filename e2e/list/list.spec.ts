import { countText, listTotal, useFlatList } from "../fixtures/list-view";
import {
  deliver,
  expect,
  messageList,
  rawMessage,
  row,
  rows,
  test,
  unique,
} from "../fixtures/test";

test.describe("the message list", () => {
  test("a listbox of options named by sender, subject and unread state; conversations by default", async ({
    mailPage: page,
    isPhone,
  }) => {
    const list = messageList(page);
    await expect(list).toHaveAttribute("aria-multiselectable", "true");
    const first = rows(page).first();
    await expect(first).toHaveAttribute("aria-selected", "false");
    const names = await rows(page).evaluateAll((els) =>
      els.map((e) => e.getAttribute("aria-label") ?? ""),
    );
    expect(names.length).toBeGreaterThan(5);
    expect(names.some((n) => n.startsWith("unread, "))).toBe(true);
    expect(names.some((n) => !n.startsWith("unread, "))).toBe(true);
    // One row per conversation: the seeded threads make fewer rows than the 40 messages.
    const conversations = await listTotal(page, "conversations");
    expect(conversations).toBeGreaterThan(5);
    expect(conversations).toBeLessThan(40);
    expect(names.some((n) => / \d+ messages, /.test(n))).toBe(true);
    await useFlatList(page, isPhone);
    expect(await listTotal(page, "messages")).toBe(40);
  });

  test("unread is bold; star, attachment mark, preview and a relative date", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    // A conversation of one message someone else wrote reads as that message's row would.
    const subject = unique("Quarterly numbers");
    const boundary = "b1";
    const raw = [
      'From: "Zoë Example" <zoe@example.test>',
      `To: <${account.email}>`,
      `Subject: ${subject}`,
      `Date: ${new Date(Date.now() - 5 * 60_000).toUTCString()}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      "",
      `--${boundary}`,
      "Content-Type: text/plain; charset=utf-8",
      "",
      "The numbers for the quarter are in the attached sheet.",
      `--${boundary}`,
      'Content-Type: text/csv; name="numbers.csv"',
      'Content-Disposition: attachment; filename="numbers.csv"',
      "",
      "a,b\r\n1,2",
      `--${boundary}--`,
      "",
    ].join("\r\n");
    await deliver(stack, account.email, raw);
    const r = row(page, subject);
    await expect(r).toBeVisible();
    // A relative date: the Date header (5 minutes ago) or the arrival (now), as the bridge picks.
    const relative = "(now|\\d+ min\\. ago)";
    await expect(r).toHaveAccessibleName(
      new RegExp(`^unread, Zoë Example, ${subject}, ${relative}, has attachment$`),
    );
    const weight = await r
      .getByText("Zoë Example")
      .evaluate((e) => Number(getComputedStyle(e).fontWeight));
    expect(weight).toBeGreaterThanOrEqual(700);
    await expect(r.locator("time")).toHaveText(new RegExp(`^${relative}$`));
    // The preview line comes with the listed rows.
    await page.reload();
    await expect(row(page, subject).getByText("The numbers for the quarter")).toBeVisible();

    // Starring shows on the row and in its name.
    await r.click();
    await page
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button", { name: "Star" })
      .click();
    if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();
    await expect(row(page, subject)).toHaveAccessibleName(/, starred, has attachment$/);
  });

  test("select with checkboxes, shift-click a range, select all; act on the selection", async ({
    mailPage: page,
  }) => {
    const checkboxes = rows(page).getByRole("checkbox");
    await checkboxes.nth(0).check();
    await expect(page.getByText("1 selected")).toBeVisible();
    await checkboxes.nth(3).click({ modifiers: ["Shift"] });
    await expect(page.getByText("4 selected")).toBeVisible();
    for (let i = 0; i < 4; i++)
      await expect(rows(page).nth(i)).toHaveAttribute("aria-selected", "true");
    await expect(rows(page).nth(4)).toHaveAttribute("aria-selected", "false");

    // Mark the four as read, then unread again, from the bulk actions.
    const bar = page.getByRole("toolbar", { name: "Message actions" });
    const anyUnread = await bar.getByRole("button", { name: "Mark as read" }).count();
    if (anyUnread) await bar.getByRole("button", { name: "Mark as read" }).click();
    for (let i = 0; i < 4; i++) await expect(rows(page).nth(i)).not.toHaveAccessibleName(/^unread/);
    await bar.getByRole("button", { name: "Mark as unread" }).click();
    for (let i = 0; i < 4; i++) await expect(rows(page).nth(i)).toHaveAccessibleName(/^unread/);

    const all = page.getByRole("checkbox", { name: "Select all" });
    await all.check();
    await expect(
      page.getByText(`${await listTotal(page, "conversations")} selected`),
    ).toBeVisible();
    await all.uncheck();
    await expect(page.getByText(/selected$/)).toHaveCount(0);
  });

  test("new mail slides in at the top without moving what is on screen", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const list = messageList(page);
    const before = await listTotal(page, "conversations");
    // Scroll so that a row in the middle is the one being looked at.
    await list.evaluate((el) => {
      el.scrollTop = 600;
    });
    const target = rows(page).nth(12);
    const name = (await target.getAttribute("aria-label")) ?? "";
    const anchor = row(page, name);
    await expect(anchor).toBeInViewport();
    const y = (await anchor.boundingBox())?.y ?? 0;

    const subject = unique("Fresh news");
    await deliver(
      stack,
      account.email,
      rawMessage({ from: "news@example.test", to: account.email, subject }),
    );
    await expect(
      page.getByText(countText(before + 1, "conversations"), { exact: true }),
    ).toBeVisible();
    await expect.poll(async () => (await anchor.boundingBox())?.y ?? 0).toBeCloseTo(y, 0);

    await list.evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(subject));
  });
});
