import type { Page } from "@playwright/test";
import { clickAction, findAction } from "../fixtures/action-bar";
import {
  countText,
  listTotal,
  messagesInRow,
  messagesText,
  subjectOfRow,
  swipeRow,
} from "../fixtures/list-view";
import {
  expect,
  folders,
  messageList,
  reader,
  row,
  rows,
  showFolders,
  test,
} from "../fixtures/test";

function actions(page: Page) {
  return page.getByRole("toolbar", { name: "Message actions" });
}

function subjectOf(page: Page, index: number): Promise<string> {
  return subjectOfRow(rows(page).nth(index));
}

async function openFolder(page: Page, isPhone: boolean, name: RegExp) {
  await showFolders(page, isPhone);
  await folders(page).getByRole("link", { name }).click();
  await expect(messageList(page)).toBeVisible();
}

test.describe("acting on mail", () => {
  test("archive shows a toast whose Undo brings the conversation back", async ({
    mailPage: page,
    isPhone,
  }) => {
    const total = await listTotal(page, "conversations");
    const subject = await subjectOf(page, 0);
    await rows(page).first().click();
    await expect(reader(page, subject)).toBeVisible();
    await actions(page).getByRole("button", { name: "Archive" }).click();
    await expect(
      page.getByRole("status").filter({ hasText: "Conversation archived" }),
    ).toBeVisible();
    if (isPhone) await expect(messageList(page)).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);
    await expect(
      page.getByText(countText(total - 1, "conversations"), { exact: true }),
    ).toBeVisible();

    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByText("Action undone")).toBeVisible();
    await expect(row(page, subject)).toBeVisible();
    await expect(page.getByText(countText(total, "conversations"), { exact: true })).toBeVisible();

    await openFolder(page, isPhone, /^Archive/);
    await expect(row(page, subject)).toHaveCount(0);
  });

  test("archiving a conversation of several messages archives one conversation", async ({
    mailPage: page,
  }) => {
    const total = await listTotal(page, "conversations");
    const several = rows(page)
      .filter({ has: page.getByTestId("conversation-count") })
      .first();
    const subject = await subjectOfRow(several);
    expect(await messagesInRow(several)).toBeGreaterThan(1);
    await several.getByRole("checkbox").check();
    await actions(page).getByRole("button", { name: "Archive" }).click();
    await expect(
      page.getByRole("status").filter({ hasText: /^Conversation archived/ }),
    ).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);
    await expect(
      page.getByText(countText(total - 1, "conversations"), { exact: true }),
    ).toBeVisible();
  });

  test("delete moves to Trash; in Trash it deletes for good", async ({
    mailPage: page,
    isPhone,
  }) => {
    const subject = await subjectOf(page, 1);
    // A conversation row stands for all of its messages here.
    const n = await messagesInRow(row(page, subject));
    await row(page, subject).getByRole("checkbox").check();
    await actions(page).getByRole("button", { name: "Delete" }).click();
    await expect(
      page.getByRole("status").filter({
        hasText: messagesText(n, "Message moved to Trash", (k) => `${k} messages moved to Trash`),
      }),
    ).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);

    await openFolder(page, isPhone, /^Trash/);
    await expect(row(page, subject)).toBeVisible();
    await row(page, subject).click();
    await actions(page).getByRole("button", { name: "Delete" }).click();
    await expect(
      page.getByRole("status").filter({
        hasText: messagesText(n, "Message deleted", (k) => `${k} messages deleted`),
      }),
    ).toBeVisible();
    if (isPhone) await expect(messageList(page)).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);
  });

  test("Move to… a folder from the menu", async ({ mailPage: page, isPhone }) => {
    const subject = await subjectOf(page, 2);
    const n = await messagesInRow(row(page, subject));
    await row(page, subject).click();
    await clickAction(page, "Move to…");
    await page.getByRole("menuitem", { name: "Move to Junk" }).click();
    await expect(
      page.getByRole("status").filter({
        hasText: messagesText(n, "Message moved to Junk", (k) => `${k} messages moved to Junk`),
      }),
    ).toBeVisible();
    if (isPhone) await expect(messageList(page)).toBeVisible();
    await expect(row(page, subject)).toHaveCount(0);
    await openFolder(page, isPhone, /^Junk/);
    await expect(row(page, subject)).toBeVisible();
  });

  test("an action chosen from More gives the focus back to the More button", async ({
    mailPage: page,
  }) => {
    await rows(page).first().click();
    const more = actions(page).getByRole("button", { name: "More actions" });
    await more.click();
    await page
      .getByRole("menu", { name: "More actions" })
      .getByRole("menuitem", { name: "Copy to…", exact: true })
      .click();
    await page.getByRole("menuitem", { name: "Copy to Archive" }).click();
    await expect(page.getByRole("status").filter({ hasText: /copied to Archive/ })).toBeVisible();
    // Not dropped to the page: Enter opens the menu again from where the user was.
    await expect(more).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("menu", { name: "More actions" })).toBeVisible();
  });

  test("drag rows onto a folder to move them", async ({ mailPage: page, isPhone }) => {
    test.skip(isPhone, "no dragging on a phone");
    const first = await subjectOf(page, 0);
    const second = await subjectOf(page, 1);
    await row(page, first).getByRole("checkbox").check();
    await row(page, second).getByRole("checkbox").check();
    await row(page, first).dragTo(folders(page).getByRole("link", { name: /^Archive/ }));
    await expect(
      page
        .getByRole("status")
        .filter({ hasText: "2 conversations archived" })
        .or(page.getByRole("status").filter({ hasText: "2 messages moved to Archive" })),
    ).toBeVisible();
    await expect(row(page, first)).toHaveCount(0);
    await expect(row(page, second)).toHaveCount(0);
    await openFolder(page, isPhone, /^Archive/);
    await expect(row(page, first)).toBeVisible();
    await expect(row(page, second)).toBeVisible();
  });

  test("read, unread, star and unstar", async ({ mailPage: page }) => {
    const subject = await subjectOf(page, 3);
    await row(page, subject).click();
    const bar = actions(page);
    await expect(bar.getByRole("button", { name: "Mark as unread" })).toBeVisible();
    await bar.getByRole("button", { name: "Mark as unread" }).click();
    await expect(bar.getByRole("button", { name: "Mark as read" })).toBeVisible();
    await bar.getByRole("button", { name: "Mark as read" }).click();
    await expect(bar.getByRole("button", { name: "Mark as unread" })).toBeVisible();
    const star = bar.getByRole("button", { name: "Star", exact: true });
    const unstar = bar.getByRole("button", { name: "Unstar" });
    if (await unstar.isVisible()) await unstar.click();
    await star.click();
    await expect(unstar).toBeVisible();
    await unstar.click();
    await expect(star).toBeVisible();
  });

  test("the action bar fits its pane: every action is reachable, the rest under More", async ({
    mailPage: page,
  }) => {
    const secondary = ["Snooze until…", "Move to…", "Report spam", "Copy to…"];
    const everyActionReachable = async () => {
      const bar = actions(page);
      await expect(bar.getByRole("button", { name: "Archive" })).toBeVisible();
      // A trial click fails when another element (the reader pane) covers the button.
      const buttons = await bar.getByRole("button").all();
      for (const b of buttons) if (await b.isVisible()) await b.click({ trial: true });
      const inBar: string[] = [];
      for (const name of secondary) {
        if (await bar.getByRole("button", { name, exact: true }).isVisible()) inBar.push(name);
      }
      const more = bar.getByRole("button", { name: "More actions" });
      if (inBar.length === secondary.length) {
        await expect(more).toBeHidden();
        return;
      }
      await more.click();
      const menu = page.getByRole("menu", { name: "More actions" });
      for (const name of secondary.filter((n) => !inBar.includes(n))) {
        await expect(menu.getByRole("menuitem", { name, exact: true })).toBeVisible();
      }
      await page.keyboard.press("Escape");
      await expect(menu).toBeHidden();
    };

    await rows(page).nth(0).getByRole("checkbox").check();
    await rows(page).nth(1).getByRole("checkbox").check();
    await expect(page.getByText("2 selected")).toBeVisible();
    await everyActionReachable();
    await rows(page).nth(0).getByRole("checkbox").uncheck();
    await rows(page).nth(1).getByRole("checkbox").uncheck();

    const subject = await subjectOf(page, 2);
    await row(page, subject).click();
    await expect(reader(page, subject)).toBeVisible();
    await everyActionReachable();
  });

  test("a folder opened read-only is marked and cannot be changed", async ({
    mailPage: page,
    isPhone,
  }) => {
    if (isPhone) {
      await page.getByRole("button", { name: "Folder options" }).click();
    } else {
      await folders(page)
        .getByRole("link", { name: /^Inbox/ })
        .click({ button: "right" });
    }
    await page.getByRole("menuitem", { name: "Open read-only" }).click();
    await expect(page).toHaveURL(/ro=1/);
    await expect(page.getByText("Read-only", { exact: true })).toBeVisible();
    const unread = messageList(page)
      .getByRole("option", { name: /^unread, / })
      .first();
    const name = (await unread.getAttribute("aria-label")) ?? "";
    await unread.click();
    await expect(reader(page)).toBeVisible();
    for (const label of ["Archive", "Delete", "Star"]) {
      await expect(actions(page).getByRole("button", { name: label, exact: true })).toBeDisabled();
    }
    await expect(await findAction(page, "Move to…")).toBeDisabled();
    if (await page.getByRole("menu").isVisible()) await page.keyboard.press("Escape");
    // Reading it there does not mark it read.
    if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();
    await expect(messageList(page).getByRole("option", { name })).toBeVisible();
  });

  test("phone: swipe a row left to archive, right to delete", async ({
    mailPage: page,
    isPhone,
  }) => {
    test.skip(!isPhone, "swiping is for touch screens");
    const total = await listTotal(page, "conversations");
    const left = await subjectOf(page, 0);
    await swipeRow(page, left, -300);
    await expect(
      page.getByRole("status").filter({ hasText: "Conversation archived" }),
    ).toBeVisible();
    await expect(row(page, left)).toHaveCount(0);

    const right = await subjectOf(page, 0);
    const n = await messagesInRow(row(page, right));
    await swipeRow(page, right, 300);
    await expect(
      page.getByRole("status").filter({
        hasText: messagesText(n, "Message moved to Trash", (k) => `${k} messages moved to Trash`),
      }),
    ).toBeVisible();
    await expect(row(page, right)).toHaveCount(0);
    // A short swipe snaps back and does nothing.
    const stays = await subjectOf(page, 0);
    await swipeRow(page, stays, -60);
    await expect(row(page, stays)).toBeVisible();
    await expect(
      page.getByText(countText(total - 2, "conversations"), { exact: true }),
    ).toBeVisible();
  });
});
