/**
 * Signing out with no network: the dialog opens at once (the bridge is not waited for), says
 * what only this browser holds (actions and Outbox messages not sent, drafts written offline),
 * and lets the user stay or sign out anyway, which deletes all of it from the browser; the
 * bridge hears of the sign-out once the network is back (in this tab or the next one), so
 * the session does not resume.
 */
import type { Page } from "@playwright/test";
import { fillMessage, openCompose } from "../compose/helpers";
import { expect, folders, rows, showFolders, test, unique } from "../fixtures/test";
import { serviceWorkerActive } from "./helpers";
import { archiveRow } from "./rows";

async function subjectOf(page: Page, index: number): Promise<string> {
  const name = (await rows(page).nth(index).getAttribute("aria-label")) ?? "";
  return name.replace(/^unread, /, "").split(", ")[1] ?? "";
}

async function startSignOut(page: Page, isPhone: boolean, email: string): Promise<void> {
  if (isPhone) {
    await showFolders(page, isPhone);
    await page.getByRole("button", { name: `Signed in as ${email}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
  } else {
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
  }
}

/** Entries in this browser's IndexedDB store of offline work (queue and local drafts). */
async function offlineEntries(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes("ferry-offline")) return 0;
    return new Promise<number>((resolve) => {
      const req = indexedDB.open("ferry-offline");
      req.onsuccess = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("queue")) {
          db.close();
          resolve(0);
          return;
        }
        const count = db.transaction("queue").objectStore("queue").count();
        count.onsuccess = () => {
          db.close();
          resolve(count.result);
        };
      };
      req.onerror = () => resolve(-1);
    });
  });
}

test.describe("signing out offline", () => {
  test("the dialog opens at once, names what would be lost, and can be cancelled", async ({
    mailPage: page,
    context,
    account,
    isPhone,
  }) => {
    test.setTimeout(90_000);
    const first = await subjectOf(page, 0);
    const second = await subjectOf(page, 1);
    // The app's code (the composer's too) is in the service worker's precache.
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    await context.setOffline(true);

    await archiveRow(page, isPhone, first);
    await archiveRow(page, isPhone, second);
    const sent = await openCompose(page);
    await fillMessage(sent, {
      to: ["carol@example.test"],
      subject: unique("Waiting in the Outbox"),
      body: "Not yet.",
    });
    await sent.getByRole("button", { name: "Send", exact: true }).click();
    await expect(sent).toBeHidden();
    const draft = await openCompose(page);
    await fillMessage(draft, { subject: unique("Only here"), body: "Typed offline." });
    await draft.getByRole("button", { name: "Save and close" }).click();
    await expect(draft).toBeHidden();
    await showFolders(page, isPhone);
    await expect(
      folders(page).getByRole("listitem", { name: /^Drafts on this device/ }),
    ).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "3 changes waiting" })).toBeVisible();
    expect(await offlineEntries(page)).toBe(4);

    // The session's cookie as it was: whether the bridge still honours it is checked at the end.
    const cookie = (await context.cookies(page.url()))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    expect(cookie).not.toBe("");

    const ask = page.getByRole("alertdialog", { name: "Before you sign out" });
    await startSignOut(page, isPhone, account.email);
    // At once: nothing waits for the bridge, which cannot be reached.
    await expect(ask).toBeVisible({ timeout: 3000 });
    await expect(ask).toContainText("2 actions and 1 message in the Outbox have not been sent.");
    await expect(ask).toContainText("1 draft written offline is only on this device.");
    await ask.getByRole("button", { name: "Stay signed in" }).click();
    await expect(ask).toHaveCount(0);
    expect(await offlineEntries(page)).toBe(4);

    await startSignOut(page, isPhone, account.email);
    await expect(ask).toBeVisible({ timeout: 3000 });
    await ask.getByRole("button", { name: "Sign out anyway" }).click();
    await expect(page.getByLabel("Email address")).toBeVisible();
    expect(await offlineEntries(page)).toBe(0);

    // The tab goes while still offline (the browser is quit, or it dies), and the network comes
    // back: the next tab tells the bridge first, so the session does not resume, and the bridge
    // no longer honours its cookie. The tab is crashed, not closed: page.close() ends the
    // emulated offline state with the tab's DevTools session while the page is still running its
    // pagehide, so that the closing tab itself could hear "online" and tell the bridge (seen in
    // CI, about 1 run in 60), which no real browser closing a tab offline does.
    const url = page.url();
    const sessionStatus = async () =>
      (
        await context.request.get(new URL("/api/session", url).href, { headers: { cookie } })
      ).status();
    await Promise.all([
      page.waitForEvent("crash"),
      page.goto("chrome://crash").catch(() => undefined),
    ]);
    await page.close();
    await context.setOffline(false);
    const next = await context.newPage();
    const told = next.waitForRequest(
      (r) => r.method() === "DELETE" && new URL(r.url()).pathname === "/api/session",
      { timeout: 10_000 },
    );
    await next.goto(url);
    await told;
    await expect(next.getByLabel("Email address")).toBeVisible();
    await expect.poll(sessionStatus).toBe(401);
    await expect(next.getByLabel("Email address")).toBeVisible();
  });
});
