/**
 * Ferry as an installed app: the service worker keeps the app shell, so with no network at all
 * (the whole origin, not only the socket) a reload still starts Ferry and paints the cached mail.
 */
import { countText, listTotal } from "../fixtures/list-view";
import { expect, messageList, reader, rows, showFolders, test } from "../fixtures/test";
import { cached, serviceWorkerActive } from "./helpers";

test.describe("installable app", () => {
  test("with no network at all, a reload starts Ferry and shows the cached mail", async ({
    mailPage: page,
    context,
    isPhone,
  }) => {
    const first = rows(page).first();
    const name = ((await first.getAttribute("aria-label")) ?? "").replace(/^unread, /, "");
    await first.click();
    const subject = (await reader(page).getByRole("heading", { level: 2 }).textContent()) ?? "";
    await expect(reader(page).getByText("Loading message…")).toHaveCount(0);
    await expect.poll(() => cached(page, '"complete":true'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();

    const total = await listTotal(page, "conversations");
    await context.setOffline(true);
    await page.reload();

    await expect(messageList(page)).toBeVisible();
    await expect(rows(page).first()).toBeVisible();
    await expect(page.getByText(countText(total, "conversations"), { exact: true })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: /Offline|Connecting/ })).toBeVisible();
    await messageList(page).getByRole("option", { name }).click();
    await expect(reader(page, subject)).toBeVisible();
    await expect(reader(page).getByText("Loading message…")).toHaveCount(0);
    await expect(reader(page).getByRole("alert")).toHaveCount(0);
    await context.setOffline(false);
  });

  test("signing out removes the service worker: offline, nothing starts", async ({
    mailPage: page,
    context,
    account,
    isPhone,
  }) => {
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    if (isPhone) {
      await showFolders(page, isPhone);
      await page.getByRole("button", { name: `Signed in as ${account.email}` }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
    } else {
      await page.getByRole("button", { name: "Sign out" }).click();
    }
    await expect(page.getByLabel("Email address")).toBeVisible();
    await expect
      .poll(() =>
        page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length),
      )
      .toBe(0);
    await context.setOffline(true);
    await expect(page.reload()).rejects.toThrow();
    await context.setOffline(false);
  });
});
