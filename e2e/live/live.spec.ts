import { countText, listTotal, subjectOfRow } from "../fixtures/list-view";
import {
  expect,
  folders,
  messageList,
  reader,
  row,
  rows,
  showFolders,
  signIn,
  submit,
  test,
  unique,
} from "../fixtures/test";

test.describe("live", () => {
  test("mail sent through Postfix appears in an open browser without a reload", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const total = await listTotal(page, "conversations");
    await showFolders(page, isPhone);
    const inbox = folders(page).getByRole("link", { name: /^Inbox/ });
    const before = Number(
      (/(\d+) unread/.exec((await inbox.getAttribute("aria-label")) ?? "") ?? [])[1] ?? 0,
    );
    if (isPhone) await page.goBack();

    const subject = unique("Lunch on Friday");
    await submit(stack, stack.bob, {
      to: account.email,
      subject,
      text: "Shall we?",
      fromName: "Bob Builder",
    });

    const fresh = row(page, subject);
    await expect(fresh).toBeVisible();
    await expect(fresh).toHaveAccessibleName(new RegExp(`^unread, Bob Builder, ${subject}`));
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(subject));
    // A new conversation: one row more.
    await expect(
      page.getByText(countText(total + 1, "conversations"), { exact: true }),
    ).toBeVisible();
    await showFolders(page, isPhone);
    await expect(
      folders(page).getByRole("link", { name: `Inbox, ${before + 1} unread` }),
    ).toBeVisible();
  });

  test("two browsers of the same user see each other's changes", async ({
    mailPage: a,
    browser,
    account,
    isMobile,
    viewport,
    userAgent,
    hasTouch,
  }) => {
    const context = await browser.newContext({
      isMobile,
      hasTouch,
      ...(viewport ? { viewport } : {}),
      ...(userAgent ? { userAgent } : {}),
      baseURL: new URL(a.url()).origin,
    });
    const b = await context.newPage();
    await signIn(b, account);
    const total = await listTotal(b, "conversations");

    // Read / unread.
    const target = rows(a).first();
    const subject = await subjectOfRow(target);
    await row(b, subject).waitFor();
    await target.click();
    await expect(reader(a)).toBeVisible();
    await expect(row(b, subject)).not.toHaveAccessibleName(/^unread, /);
    await a
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button", { name: "Mark as unread" })
      .click();
    await expect(row(b, subject)).toHaveAccessibleName(/^unread, /);

    // Star.
    await a
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button", { name: "Star" })
      .click();
    await expect(row(b, subject)).toHaveAccessibleName(/, starred/);

    // Archive: gone from the other browser's inbox too.
    await a
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button", { name: "Archive" })
      .click();
    await expect(row(b, subject)).toHaveCount(0);
    await expect(b.getByText(countText(total - 1, "conversations"), { exact: true })).toBeVisible();
    await expect(messageList(b)).toBeVisible();
    await context.close();
  });
});
