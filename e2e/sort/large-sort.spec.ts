import { test } from "../fixtures/large-mailbox";
import { listTotal } from "../fixtures/list-view";
import { expect, messageList, signIn } from "../fixtures/test";

/** The sender as the row shows it (the list's first line). */
function senderOf(name: string | null): string {
  return (name ?? "").split(", ").filter((p) => p !== "unread")[0] ?? "";
}

function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

test.describe("sorting a 100,000-message folder", () => {
  test.skip(({ isMobile }) => isMobile, "one large mailbox is enough; the phone list is the same");

  test("by sender, the list stays a window over the whole folder and jumps to the middle", async ({
    page,
    large,
  }) => {
    await signIn(page, large, { timeout: 30_000 });
    const list = messageList(page);
    // Conversations (the default) are in arrival order; another order lists every message.
    expect(await listTotal(page, "conversations")).toBeLessThan(100_000);

    await page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Sender, A to Z" });
    await expect(page).toHaveURL(/sort=from\.asc/);
    await expect(page.getByText("100,000 messages", { exact: true })).toBeVisible();
    const loaded = list.locator('[role="option"]:not([aria-busy="true"])');
    const first = list.locator('[role="option"][aria-posinset="1"]:not([aria-busy="true"])');
    await expect(first).toBeVisible({ timeout: 30_000 });
    await expect(first).toHaveAttribute("aria-setsize", "100000");

    // The top rows are in sender order.
    const names = async () =>
      (await loaded.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")))).map(
        senderOf,
      );
    const top = await names();
    expect(top.length).toBeGreaterThan(5);
    expect(top.map(fold)).toEqual([...top.map(fold)].sort());

    // Jump to the middle, as dragging the scrollbar does: the rows there fill in, in order.
    const height = await list.evaluate((el) => el.scrollHeight);
    const rowHeight = height / 100_000;
    const top50 = await list.evaluate((el) => {
      el.scrollTop = Math.round((el.scrollHeight - el.clientHeight) / 2);
      return el.scrollTop;
    });
    const position = Math.floor(top50 / rowHeight) + 1;
    const there = list.locator(`[role="option"][aria-posinset="${position}"]`);
    await expect(there).not.toHaveAttribute("aria-busy", "true");
    await expect(list.locator('[role="option"][aria-busy="true"]')).toHaveCount(0);
    const middle = await names();
    expect(middle.map(fold)).toEqual([...middle.map(fold)].sort());
    // The middle of the sender order is further down the alphabet than its top.
    expect(fold(middle[0] ?? "") >= fold(top[0] ?? "")).toBe(true);

    // The order is remembered: a reload keeps it.
    await page.goto("/");
    await expect(page.getByRole("combobox", { name: "Sort by" })).toHaveValue("from.asc");
  });
});
