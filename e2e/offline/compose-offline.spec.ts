/**
 * Writing a message offline in a browser whose service worker has cached nothing (blocked here,
 * as before its first install finishes, or where there is none): the composer's code was fetched
 * while the page was idle, so Compose still opens, and the draft is kept on this device.
 */
import { fillMessage, openCompose } from "../compose/helpers";
import { expect, rows, test, unique } from "../fixtures/test";

test.use({ serviceWorkers: "block" });

test("Compose opens offline before any service worker has cached the app", async ({
  mailPage: page,
  context,
}) => {
  await expect(rows(page).first()).toBeVisible();
  // What the page fetches once it is idle has arrived: nothing has been asked over HTTP for a
  // while (the socket is not counted).
  await page.waitForLoadState("networkidle");
  await context.setOffline(true);

  const dialog = await openCompose(page);
  await fillMessage(dialog, { subject: unique("Written offline"), body: "On the train." });
  await dialog.getByRole("button", { name: "Save and close" }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole("status").filter({ hasText: "the draft is saved on this device" }),
  ).toBeVisible();
});
