import { countText, listTotal } from "../fixtures/list-view";
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

test.describe("search", () => {
  test("/ focuses the search; operators filter the list; Escape goes back", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const total = await listTotal(page, "conversations");
    const subject = unique("Invoice");
    await deliver(
      stack,
      account.email,
      rawMessage({
        from: "billing@shop.example.test",
        fromName: "Shop Billing",
        to: account.email,
        subject,
      }),
    );
    await expect(row(page, subject)).toBeVisible();

    await messageList(page).focus();
    await page.keyboard.press("/");
    const box = page.getByRole("searchbox", { name: "Search mail" });
    await expect(box).toBeFocused();
    await box.fill("from:billing@shop.example.test");
    await box.press("Enter");
    await expect(page).toHaveURL(/q=from%3Abilling/);
    await expect(page.getByRole("heading", { name: "Search results" })).toBeVisible();
    await expect(page.getByText("1 result", { exact: true })).toBeVisible();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(subject));

    // Results open like any message, and Back returns to them.
    await rows(page).first().click();
    await expect(page.getByRole("article", { name: subject })).toBeVisible();
    if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();
    await expect(page.getByRole("heading", { name: "Search results" })).toBeVisible();

    await box.fill(`"${subject}" -from:nobody@example.test`);
    await box.press("Enter");
    await expect(page.getByText("1 result", { exact: true })).toBeVisible();

    await box.fill("is:unread from:nobody-at-all@example.test");
    await box.press("Enter");
    await expect(page.getByText("No messages match this search")).toBeVisible();

    await box.focus();
    await box.press("Escape");
    await expect(page.getByRole("heading", { name: "Inbox", level: 1 })).toBeVisible();
    await expect(
      page.getByText(countText(total + 1, "conversations"), { exact: true }),
    ).toBeVisible();
  });

  test("a search the bridge cannot read says where", async ({ mailPage: page }) => {
    const box = page.getByRole("searchbox", { name: "Search mail" });
    await box.fill('subject:"unclosed');
    await box.press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "near character 9" })).toBeVisible();
    await box.fill("subject:fine");
    await box.press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "near character" })).toHaveCount(0);
  });
});
