/**
 * Desktop notifications for new mail: off until turned on in Settings, then shown for a live
 * delivery while the page is hidden, and not while it is visible. The page's Notification is
 * wrapped (init script) to record what Ferry shows; "hidden" is the page's visibilityState,
 * switched by the test with a visibilitychange event as a browser does when the tab goes away.
 */
import type { Page } from "@playwright/test";
import { openSettings } from "../fixtures/list-view";
import {
  deliver,
  expect,
  folders,
  rawMessage,
  reader,
  row,
  signIn,
  test,
  unique,
} from "../fixtures/test";

declare global {
  interface Window {
    __shown: { title: string; body: string; click(): void }[];
    __setHidden(hidden: boolean): void;
  }
}

async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => window.__setHidden(h), hidden);
}

test.beforeEach(async ({ context, page }) => {
  await context.grantPermissions(["notifications"]);
  await page.addInitScript(() => {
    const Real = window.Notification;
    window.__shown = [];
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.__shown.push({
          title,
          body: options?.body ?? "",
          click: () => this.onclick?.call(this, new Event("click")),
        });
      }
    }
    window.Notification = Recorded as typeof Notification;
    let hidden = false;
    Object.defineProperty(document, "visibilityState", {
      get: () => (hidden ? "hidden" : "visible"),
    });
    Object.defineProperty(document, "hidden", { get: () => hidden });
    window.__setHidden = (h: boolean) => {
      hidden = h;
      document.dispatchEvent(new Event("visibilitychange"));
    };
  });
});

test("a hidden tab notifies of a live delivery once turned on; a visible one does not", async ({
  page,
  account,
  stack,
  isPhone,
}) => {
  await signIn(page, account);
  const shown = () => page.evaluate(() => window.__shown.map((n) => `${n.title} | ${n.body}`));

  // Off by default: nothing while hidden.
  const before = unique("Before turning on");
  await setHidden(page, true);
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "ann@example.test", fromName: "Ann", to: account.email, subject: before }),
  );
  await setHidden(page, false);
  await expect(row(page, before)).toBeVisible();
  expect(await shown()).toEqual([]);

  const notify = (await openSettings(page, isPhone)).getByLabel(
    "Notify me of new mail while Ferry is in the background",
  );
  await notify.check();
  await expect(notify).toBeChecked();
  await page.keyboard.press("Escape");
  if (isPhone)
    await folders(page)
      .getByRole("link", { name: /^Inbox/ })
      .click();

  // Visible: the row slides in, no notification.
  const visible = unique("While looking");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "ann@example.test", fromName: "Ann", to: account.email, subject: visible }),
  );
  await expect(row(page, visible)).toBeVisible();
  expect(await shown()).toEqual([]);

  // Hidden: one notification, and clicking it opens the message.
  const hiddenSubject = unique("While away");
  await setHidden(page, true);
  await deliver(
    stack,
    account.email,
    rawMessage({
      from: "bob@example.test",
      fromName: "Bob",
      to: account.email,
      subject: hiddenSubject,
    }),
  );
  await expect.poll(shown).toEqual([`New mail from Bob | ${hiddenSubject}`]);
  await page.evaluate(() => window.__shown[0]?.click());
  await setHidden(page, false);
  await expect(reader(page, hiddenSubject)).toBeVisible();
});
