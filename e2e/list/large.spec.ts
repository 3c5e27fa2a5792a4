import { test } from "../fixtures/large-mailbox";
import { listTotal } from "../fixtures/list-view";
import { expect, messageList, signIn } from "../fixtures/test";

test.describe("a 100,000-message folder", () => {
  test.skip(
    ({ isMobile }) => isMobile,
    "one large mailbox is enough; the phone list is the same component",
  );

  test("scrolls as a window over the whole count; jumping anywhere fills in the rows", async ({
    page,
    large,
  }) => {
    // Sign-in threads the newest 2,000 messages, then the whole folder is threaded for the count.
    test.slow();
    await signIn(page, large, { timeout: 30_000 });
    const list = messageList(page);
    // One row per conversation (the default): the seeded threads of all 100,000 messages. The
    // first count is estimated from the newest messages ("About …"); the exact one follows once
    // the bridge has threaded the whole folder.
    const total = await listTotal(page, "conversations", { timeout: 30_000 });
    expect(total).toBeGreaterThan(10_000);
    expect(total).toBeLessThan(100_000);
    // Only a window of rows is in the page, however long the folder.
    const rendered = await list.getByRole("option").count();
    expect(rendered).toBeLessThan(60);
    const height = await list.evaluate((el) => el.scrollHeight);
    expect(height).toBeGreaterThan(total * 50);

    // Jump to the middle, as dragging the scrollbar does.
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    const middle = list.getByRole("option", {
      name: new RegExp(`Loading message ${Math.floor(total / 2).toLocaleString("en-US")}`),
    });
    const loaded = list.locator('[role="option"]:not([aria-busy="true"])');
    await expect(loaded.first()).toBeVisible();
    await expect(middle).toHaveCount(0);
    await expect(list.locator('[role="option"][aria-busy="true"]')).toHaveCount(0);

    // Back to the top and straight down again, several times: windows still landing from the
    // last jump must not pull the list back to where it was. Each time, the row at the spot it
    // was put is filled in there, and the list has not moved.
    const rowHeight = height / total;
    for (const fraction of [0, 0.31, 0, 0.5, 0, 0.52, 0.7]) {
      const top = await list.evaluate((el, f) => {
        el.scrollTop = Math.round((el.scrollHeight - el.clientHeight) * f);
        return el.scrollTop;
      }, fraction);
      const position = Math.floor(top / rowHeight) + 1;
      const there = list.locator(`[role="option"][aria-posinset="${position}"]`);
      await expect(there).toHaveAttribute("aria-setsize", String(total));
      await expect(there).not.toHaveAttribute("aria-busy", "true");
      await expect(there).toBeInViewport();
      expect(await list.evaluate((el) => el.scrollTop)).toBe(top);
    }

    // And to the very end: the oldest message.
    await list.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect(list.locator('[role="option"][aria-busy="true"]')).toHaveCount(0);
    await expect(loaded.last()).toBeInViewport();

    // Opening one there works like anywhere else: the reader shows the row's conversation.
    const last = loaded.last();
    const name = (await last.getAttribute("aria-label")) ?? "";
    await last.click();
    const heading = page.getByRole("article").getByRole("heading", { level: 2 }).first();
    await expect(heading).toBeVisible();
    expect(name).toContain(await heading.textContent());
  });
});
