/**
 * The cold sign-in's mailbox is made ahead (app.tsx, a hidden Activity): once an address is
 * typed it waits hidden and unconnected behind the sign-in page, out of the keyboard's and the
 * accessibility tree's reach, a wrong password still shows its error and no rows, and the right
 * one reveals that same mailbox with its rows; a mailbox made for another address is never the
 * one shown, and none stays after signing out.
 */
import type { Page } from "@playwright/test";
import { expect, folders, messageList, rows, test } from "../fixtures/test";

/** The message list as it is in the page, shown or not (getByRole leaves hidden ones out). */
function listInPage(page: Page) {
  return page.locator('[role="listbox"][aria-label="Messages"]');
}

/** Every WebSocket the page opens, from now on. */
function sockets(page: Page): string[] {
  const opened: string[] = [];
  page.on("websocket", (ws) => opened.push(ws.url()));
  return opened;
}

test.describe("the mailbox gets ready while signing in", () => {
  test("once the address is typed, the mailbox waits hidden and unconnected behind the page; a wrong password still says so; the right one shows that same mailbox with its rows", async ({
    page,
    account,
  }) => {
    const opened = sockets(page);
    await page.goto("/");
    await page.getByLabel("Email address").fill(account.email);
    await page.getByLabel("Password").fill("not-the-password");

    // Ready behind the page, but nothing of it shows, and nothing connects for it.
    await expect(listInPage(page)).toBeAttached();
    await expect(listInPage(page)).toBeHidden();
    await expect(messageList(page)).toHaveCount(0);
    await expect(page.getByLabel("Email address")).toBeVisible();

    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText(
      "Wrong email address or password.",
    );
    await expect(listInPage(page)).toBeHidden();
    expect(opened).toEqual([]);

    const ready = await listInPage(page).elementHandle();
    if (!ready) throw new Error("no message list in the page");
    await page.getByLabel("Password").fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(rows(page).first()).toBeVisible();
    // The list on screen is the one made ahead, not a new one.
    expect(await ready.evaluate((el) => el.isConnected && el.checkVisibility())).toBe(true);
    await expect(page.getByLabel("Email address")).toHaveCount(0);
  });

  test("while the sign-in page shows, neither the keyboard nor a screen reader reaches the mailbox made ahead, and a wrong password leaves no rows", async ({
    page,
    account,
  }) => {
    await page.goto("/");
    await page.getByLabel("Email address").fill(account.email);
    await page.getByLabel("Password").fill("not-the-password");
    await expect(listInPage(page)).toBeAttached();

    // Tab goes round the sign-in page only: every stop is inside it (or the page itself).
    const signInPage = page.locator("main");
    const stops = (await signInPage.locator("input, button, select, a[href]").count()) + 3;
    for (let i = 0; i < stops; i++) {
      await page.keyboard.press("Tab");
      const inSignIn = await page.evaluate(
        () =>
          document.activeElement === document.body ||
          document.activeElement?.closest("main") !== null,
      );
      expect(inSignIn, `Tab stop ${i + 1} is on the sign-in page`).toBe(true);
    }
    // What assistive technology is told about the page names none of the mailbox.
    const told = await page.locator("body").ariaSnapshot();
    expect(told).toContain("Sign in");
    expect(told).not.toContain("Messages");
    await expect(folders(page)).toHaveCount(0);

    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText(
      "Wrong email address or password.",
    );
    await expect(messageList(page)).toHaveCount(0);
    await expect(listInPage(page).locator('[role="option"]')).toHaveCount(0);
    await page.getByLabel("Password").press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("main") !== null)).toBe(true);
  });

  test("a mailbox made for another address is not the one shown, and none stays after signing out", async ({
    page,
    account,
    isPhone,
  }) => {
    await page.goto("/");
    const email = page.getByLabel("Email address");
    await email.fill(`someone-else-${account.email}`);
    await page.getByLabel("Password").fill(account.password);
    await expect(listInPage(page)).toBeAttached();
    const other = await listInPage(page).elementHandle();
    if (!other) throw new Error("no message list in the page");

    await email.fill(account.email);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(rows(page).first()).toBeVisible();
    expect(await other.evaluate((el) => el.isConnected)).toBe(false);
    await expect(listInPage(page)).toHaveCount(1);

    if (isPhone) {
      await page.getByRole("button", { name: "Show folders" }).click();
      await expect(folders(page)).toBeVisible();
      await page.getByRole("button", { name: `Signed in as ${account.email}` }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
    } else {
      const signOut = page.getByRole("button", { name: "Sign out" });
      await expect(signOut).toHaveAttribute("title", `Signed in as ${account.email}`);
      await signOut.click();
    }
    await expect(page.getByLabel("Email address")).toBeVisible();
    await expect(listInPage(page)).toHaveCount(0);
  });
});
