import type { WebSocketRoute } from "@playwright/test";
import { countText, listTotal } from "../fixtures/list-view";
import {
  expect,
  folders,
  messageList,
  reader,
  rows,
  showFolders,
  signIn,
  test,
} from "../fixtures/test";
import { cached } from "./helpers";

test.describe("offline and reconnecting", () => {
  test("a reload paints cached folders and list before the socket connects; opened mail reads offline", async ({
    mailPage: page,
    isPhone,
  }) => {
    const first = rows(page).first();
    const name = (await first.getAttribute("aria-label")) ?? "";
    await first.click();
    const subject = (await reader(page).getByRole("heading", { level: 2 }).textContent()) ?? "";
    await expect(reader(page).getByText("Loading message…")).toHaveCount(0);
    // Saved: the folders, and the message itself with its body.
    await expect
      .poll(() => cached(page, '"queryKey":["mailboxes"]'), { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => cached(page, '"complete":true'), { timeout: 10_000 }).toBe(true);
    if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();

    const total = await listTotal(page, "conversations");
    // Now the bridge is unreachable: no socket, no session check.
    await page.routeWebSocket(/\/ws(\?|$)/, (ws) => ws.close());
    await page.route("**/api/session", (route) => route.abort("internetdisconnected"));
    await page.reload();

    await expect(
      page.getByRole("status").filter({ hasText: /Connecting|Reconnecting|Offline/ }),
    ).toBeVisible();
    await expect(messageList(page)).toBeVisible();
    await expect(rows(page).first()).toBeVisible();
    await expect(page.getByText(countText(total, "conversations"), { exact: true })).toBeVisible();
    await showFolders(page, isPhone);
    await expect(folders(page).getByRole("link", { name: /^Inbox/ })).toBeVisible();
    if (isPhone) await page.goBack();

    // The message opened before reads without the bridge.
    const again = messageList(page).getByRole("option", { name: name.replace(/^unread, /, "") });
    await again.click();
    await expect(reader(page, subject)).toBeVisible();
    await expect(reader(page).getByText("Loading message…")).toHaveCount(0);
    await expect(reader(page).getByRole("alert")).toHaveCount(0);
  });

  test("the connection state shows while reconnecting and goes away once back", async ({
    page,
    account,
  }) => {
    let connections = 0;
    let live: WebSocketRoute | null = null;
    await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      connections++;
      if (connections === 2) {
        ws.close();
        return;
      }
      live = ws.connectToServer() as unknown as WebSocketRoute;
    });
    await signIn(page, account);
    await expect(rows(page).first()).toBeVisible();
    // Connected: no connection status. The first rows can come with the sign-in's answer while
    // the socket still waits for its hello ("Connecting…"); a link cut then is no reconnect.
    await expect(
      page.getByRole("status").filter({ hasText: /Connecting|Reconnecting|Offline/ }),
    ).toHaveCount(0);
    const status = page.getByRole("status").filter({ hasText: /Reconnecting|Offline/ });

    // The link drops (as when a proxy or the network cuts it).
    const server = live as WebSocketRoute | null;
    if (!server) throw new Error("no socket");
    await server.close();
    await expect(status).toBeVisible();
    // It comes back by itself, and the list is still live.
    await expect(status).toHaveCount(0, { timeout: 15_000 });
    expect(connections).toBeGreaterThanOrEqual(3);
    await expect(rows(page).first()).toBeVisible();
  });
});
