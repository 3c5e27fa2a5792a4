/**
 * "Available offline" (web/lib/offline-bodies-task.ts): with the setting on (7 days, the
 * default), the Inbox's recent bodies are fetched in the background after sign-in and Settings
 * says how many are kept; then, with the whole origin offline and the page started again, a
 * message never opened (and too far down the list for the open prefetch) reads from that copy.
 */
import { openSettings } from "../fixtures/list-view";
import {
  deliver,
  expect,
  messageList,
  rawMessage,
  reader,
  row,
  rows,
  test,
  unique,
} from "../fixtures/test";
import { serviceWorkerActive } from "./helpers";

test.use({ seed: { inbox: 0 } });

const COUNT = 8;
const KEEP_LABEL = "Keep the Inbox's recent mail on this device to read offline";

test("the Inbox's recent mail is kept in the background and reads offline", async ({
  page,
  context,
  account,
  stack,
  isPhone,
}) => {
  const subjects: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const subject = unique(`Kept ${i}`);
    subjects.push(subject);
    await deliver(
      stack,
      account.email,
      rawMessage({
        from: "ann@example.test",
        to: account.email,
        subject,
        text: `The body of ${subject}, read on the train.`,
        date: new Date(Date.now() - (COUNT - i) * 60_000),
      }),
    );
  }
  // Signed in from the keyboard: the pointer stays off the list, whose rows fetch on hover.
  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByLabel("Password").press("Enter");
  await expect(rows(page)).toHaveCount(COUNT);

  const settings = await openSettings(page, isPhone);
  await expect(settings.getByLabel(KEEP_LABEL)).toHaveValue("7");
  // "… kB of 50 MB, 8 messages": what is kept, of the budget.
  const kept = new RegExp(` of \\d[\\d.,]* [kMG]B, ${COUNT} messages`);
  await expect(settings.getByText(kept)).toBeVisible({ timeout: 30_000 });
  await page.keyboard.press("Escape");
  await expect(settings).toBeHidden();
  if (isPhone && !(await messageList(page).isVisible())) {
    await page.getByRole("link", { name: /^Inbox/ }).click();
  }
  // The app shell is cached by the service worker, as when Ferry starts offline.
  await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);

  // The whole origin offline, and the page started again from the service worker. Chromium's
  // offline emulation lets WebSockets through, so the socket to the bridge is refused apart.
  await context.setOffline(true);
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => ws.close());
  await page.reload();
  await expect(page.getByRole("status").filter({ hasText: /Offline|Connecting/ })).toBeVisible();
  await expect(row(page, subjects[COUNT - 1] ?? "")).toBeVisible();

  // The oldest: the last row, never opened, hovered or prefetched.
  const oldest = subjects[0] ?? "";
  await row(page, oldest).click();
  await expect(reader(page, oldest)).toBeVisible();
  await expect(reader(page).getByText(`The body of ${oldest}, read on the train.`)).toBeVisible();
  await expect(reader(page).getByRole("alert")).toHaveCount(0);
});
