/**
 * A reload of a signed-in mailbox shows the mailbox as last shown before the mailbox's code has
 * arrived (web/lib/mailbox-snapshot.ts): with that code held back, the cached rows are on screen,
 * inert, the list marked busy; once it arrives, the real list takes their place and works.
 */
import { expect, messageList, reader, rows, test } from "../fixtures/test";
import { snapshotStored } from "../offline/helpers";

// The page's own requests must reach page.route (a service worker would answer them unseen).
test.use({ serviceWorkers: "block" });

test("a reload shows the cached rows while the mailbox's code is still on its way", async ({
  mailPage: page,
  request,
}) => {
  const subject = (await rows(page).first().getByTestId("row-subject").textContent()) ?? "";
  expect(subject).not.toBe("");
  await expect.poll(() => snapshotStored(page), { timeout: 15_000 }).toBe(true);

  // Hold every script chunk the HTML does not name: the mailbox's code among them.
  const html = await (await request.get("/")).text();
  const inHtml = new Set(html.match(/\/_next\/static\/chunks\/[^"]+\.js/g) ?? []);
  const held: string[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/_next/static/chunks/*.js", async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (!inHtml.has(path)) {
      held.push(path);
      await released;
    }
    await route.continue();
  });

  // Not to "load", which waits for the held chunks.
  await page.reload({ waitUntil: "commit" });
  const shownRow = page.getByTestId("row-subject").filter({ hasText: subject }).first();
  await expect(shownRow).toBeVisible();
  // What shows is the snapshot: the code is held, and the list says it is not ready.
  expect(held.length).toBeGreaterThan(0);
  await expect(
    page.getByRole("listbox", { name: "Messages", includeHidden: true }),
  ).toHaveAttribute("aria-busy", "true");

  release();
  await expect(messageList(page)).toHaveAttribute("aria-busy", "false");
  await rows(page).filter({ hasText: subject }).first().click();
  await expect(reader(page, subject)).toBeVisible();
});
