/**
 * The folder pane right after a sign-in, before the socket has brought the folder list: it is
 * busy and holds the standard folders' places, and never says "No folders yet" (the user has
 * folders; Ferry has not heard of them yet). The page's first socket is held by the socket route
 * (as in hello-race.spec.ts), so the sign-in answer's rows are on screen while the folders are
 * not (the sign-in is made once the mailbox's code is here, as hello-race.spec.ts explains); closing
 * it lets the page connect and the real folders come.
 */
import type { WebSocketRoute } from "@playwright/test";
import { expect, folders, rows, showFolders, test } from "../fixtures/test";

test.use({ seed: { inbox: 5, sent: 1, drafts: 1, archive: 1, junk: 1, trash: 1 } });

test("the folder pane is busy, not 'No folders yet', until the folders come", async ({
  page,
  account,
  isPhone,
}) => {
  // Whether the folder pane ever said "No folders yet", at any moment of the page's life.
  await page.addInitScript(() => {
    const w = window as unknown as { sawNoFolders: boolean };
    w.sawNoFolders = false;
    new MutationObserver(() => {
      const nav = document.querySelector('nav[aria-label="Folders"]');
      if (nav?.textContent?.includes("No folders yet")) w.sawNoFolders = true;
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const held: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    if (held.length === 0) {
      held.push(ws);
      return;
    }
    ws.connectToServer();
  });

  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  // The mailbox rendered ahead (as when the user takes a moment to type): the sign-in answer then
  // carries the inbox's rows, so they are on screen while the socket is held.
  await expect(page.getByRole("listbox", { name: "Messages", includeHidden: true })).toBeAttached();
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(rows(page).first()).toBeVisible();
  // The list is named Inbox, as the folder pane will name it, not by its IMAP name.
  await expect(page.getByRole("heading", { name: "Inbox", exact: true })).toBeVisible();
  await showFolders(page, isPhone);

  // Connected to no bridge: the folders are not known, and the pane says it is waiting.
  expect(held).toHaveLength(1);
  await expect(folders(page)).toHaveAttribute("aria-busy", "true");
  await expect(folders(page).locator("[data-placeholder]").first()).toBeAttached();
  // Only what is not a folder (Scheduled) is there to follow.
  await expect(folders(page).getByRole("link")).toHaveAccessibleName("Scheduled");
  await expect(folders(page).getByText("No folders yet")).toHaveCount(0);

  // The page connects: the real folders come, and the pane is no longer busy.
  await held[0]?.close();
  const links = folders(page).getByRole("link");
  await expect(links.first()).toHaveAccessibleName(/^Inbox/);
  const names = await links.evaluateAll((els) =>
    els.map((e) => (e.getAttribute("aria-label") ?? "").split(",")[0]),
  );
  expect(names.slice(0, 6)).toEqual(["Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash"]);
  await expect(folders(page)).not.toHaveAttribute("aria-busy", /.*/);
  await expect(folders(page).locator("[data-placeholder]")).toHaveCount(0);
  expect(
    await page.evaluate(() => (window as unknown as { sawNoFolders: boolean }).sawNoFolders),
  ).toBe(false);
});
