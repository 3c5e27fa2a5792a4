/**
 * What a shared computer keeps after the session ends: signing out, or the session ending on the
 * server while the tab is open, must leave no mail readable in IndexedDB, in Cache Storage or in
 * the HTTP cache, even with the network off; nor the Scheduled view's list, kept for a reload.
 */
import type { Page } from "@playwright/test";
import { filePart, message, multipart, PNG, textPart } from "../fixtures/mime";
import type { Stack } from "../fixtures/stack";
import { deliver, expect, folders, reader, row, rows, test, unique } from "../fixtures/test";
import { keepScheduled } from "./kept-scheduled";

/** Every key and value of every object store of every IndexedDB database, as text. */
function indexedDbText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const name = info.name;
      out.push(`db:${name}`);
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const tx = db.transaction(store).objectStore(store);
          const keys = tx.getAllKeys();
          const values = tx.getAll();
          values.onsuccess = () => resolve([keys.result, values.result]);
          values.onerror = () => reject(values.error);
        });
        out.push(JSON.stringify(all));
      }
      db.close();
    }
    return out.join("\n");
  });
}

function cacheStorageNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

/** What a fetch of `url` returns now, as latin1 text, or null when nothing came back. */
function fetchText(page: Page, url: string): Promise<string | null> {
  return page.evaluate(async (u) => {
    try {
      const res = await fetch(u, { credentials: "same-origin" });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return Array.from(bytes, (b) => String.fromCharCode(b)).join("");
    } catch {
      return null;
    }
  }, url);
}

/**
 * Delivers a message whose body and image attachment both carry `marker`, opens it and previews
 * the image, and waits until the body is in the persisted cache. Returns the image's part URL.
 */
async function openMessageWithImage(
  page: Page,
  stack: Stack,
  email: string,
  subject: string,
  marker: string,
): Promise<string> {
  await deliver(
    stack,
    email,
    message({
      from: '"Sam Shared" <sam@example.test>',
      to: email,
      subject,
      body: multipart("mixed", [
        textPart(`The code is ${marker}.\n`),
        // PNG decoders stop at IEND: the marker after it keeps the image valid and unique.
        filePart({
          type: "image/png",
          filename: "scan.png",
          data: Buffer.concat([PNG, Buffer.from(marker)]),
        }),
      ]),
    }),
  );
  await row(page, subject).click();
  const article = reader(page, subject);
  await expect(article.getByText(`The code is ${marker}.`)).toBeVisible();
  const partResponse = page.waitForResponse(
    (r) => new URL(r.url()).pathname === "/api/parts" && r.status() === 200,
  );
  await article.getByRole("button", { name: "Preview scan.png" }).click();
  await expect(article.getByRole("img", { name: "scan.png" })).toBeVisible();
  const partUrl = (await partResponse).url();
  // The app persisted the body; something (a service worker, an extension) kept a copy in
  // Cache Storage too.
  await expect.poll(async () => (await indexedDbText(page)).includes(marker)).toBe(true);
  await page.evaluate(async ([u, m]) => (await caches.open("kept")).put(u, new Response(m)), [
    partUrl,
    marker,
  ] as const);
  expect(await fetchText(page, partUrl)).toContain(marker);
  return partUrl;
}

/**
 * Schedules a message with a subject of its own (not the body's marker, whose persisting
 * openMessageWithImage waits for) and waits until the page has kept it.
 */
async function keepScheduledMarked(page: Page, stack: Stack, email: string) {
  const subject = unique("Kept-later");
  await keepScheduled(page, stack, email, subject);
  await page.goto("/");
  await expect(rows(page).first()).toBeVisible();
  return subject;
}

async function expectNothingLeft(
  page: Page,
  partUrl: string,
  marker: string,
  scheduled: string,
): Promise<void> {
  await expect.poll(() => indexedDbText(page)).not.toContain(marker);
  await expect.poll(() => indexedDbText(page)).not.toContain(scheduled);
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(scheduled);
  await expect.poll(() => cacheStorageNames(page)).toEqual([]);
  await page.context().setOffline(true);
  expect(await fetchText(page, partUrl)).toBeNull();
  const navigation = await page.goto(partUrl).catch(() => null);
  expect(navigation === null ? "" : (await navigation.body()).toString("latin1")).not.toContain(
    marker,
  );
}

test.describe("after the session ends", () => {
  test("signing out leaves no mail in IndexedDB, Cache Storage or the HTTP cache", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const marker = unique("shared-computer").replace(" ", "-");
    const scheduled = await keepScheduledMarked(page, stack, account.email);
    const partUrl = await openMessageWithImage(
      page,
      stack,
      account.email,
      unique("Scanned form"),
      marker,
    );

    if (isPhone) {
      await page.getByRole("button", { name: "Back to messages" }).click();
      await page.getByRole("button", { name: "Show folders" }).click();
      await expect(folders(page)).toBeVisible();
      await page.getByRole("button", { name: `Signed in as ${account.email}` }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
    } else {
      await page.getByRole("button", { name: "Sign out" }).click();
    }
    // Scheduled mail still goes after a sign-out: the page says so first.
    await page
      .getByRole("alertdialog", { name: "Before you sign out" })
      .getByRole("button", { name: "Sign out" })
      .click();
    await expect(page.getByLabel("Email address")).toBeVisible();

    await expectNothingLeft(page, partUrl, marker, scheduled);
  });

  test("a session that ends on the server leaves nothing either, though the cookie stays", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const marker = unique("expired-session").replace(" ", "-");
    const scheduled = await keepScheduledMarked(page, stack, account.email);
    const partUrl = await openMessageWithImage(
      page,
      stack,
      account.email,
      unique("Payslip"),
      marker,
    );

    // Ended elsewhere (another tab's sign-out, the server's idle expiry): this browser is not
    // told over HTTP, so its cookie is still there.
    const cookie = (await page.context().cookies()).find((c) => c.name === "ferry_session");
    expect(cookie).toBeDefined();
    const res = await fetch(`${stack.url}/api/session`, {
      method: "DELETE",
      headers: { cookie: `ferry_session=${cookie?.value}`, origin: stack.url },
    });
    expect(res.status).toBe(204);
    await expect(page.getByText("Your session ended. Sign in again.")).toBeVisible();
    expect((await page.context().cookies()).some((c) => c.name === "ferry_session")).toBe(true);

    await expectNothingLeft(page, partUrl, marker, scheduled);
  });
});

test.describe("signing out while writing", () => {
  // The composer is modal on a phone (sign-out is out of reach there): the desktop layout in both.
  test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });

  test("asks first, since the latest typing may not be in Drafts yet", async ({
    mailPage: page,
  }) => {
    await page.getByRole("button", { name: "Compose", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "New message" });
    await dialog.getByLabel("Subject").fill("Unsent plan");

    const ask = page.getByRole("alertdialog", { name: "Before you sign out" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(ask).toContainText("You are writing a message");
    await ask.getByRole("button", { name: "Stay signed in" }).click();
    await expect(ask).toHaveCount(0);
    await expect(dialog.getByLabel("Subject")).toHaveValue("Unsent plan");
    await expect(page.getByLabel("Email address")).toHaveCount(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await ask.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByLabel("Email address")).toBeVisible();
  });
});
