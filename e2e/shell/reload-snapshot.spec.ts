/**
 * A reload of a signed-in mailbox shows the mailbox as last shown before the mailbox's code has
 * arrived (web/lib/mailbox-snapshot.ts, painted by the script inline in the page,
 * web/lib/mailbox-snapshot-script.ts): with that code held back (or every one of the app's
 * chunks, or everything but the page and its style sheet), the cached rows are on screen in the
 * user's colour scheme, inert, the list marked busy; once it arrives, the real list takes their place and
 * works, with no hydration error and no second copy. A row that arrived since the last reload is
 * among them. Signing out removes the snapshot.
 */
import type { Page } from "@playwright/test";
import {
  deliver,
  expect,
  messageList,
  rawMessage,
  reader,
  row,
  rows,
  showFolders,
  test,
  unique,
} from "../fixtures/test";
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
  // What shows is the snapshot (it may paint before the mailbox's code is even asked for): the
  // code is held, and the list says it is not ready.
  await expect.poll(() => held.length).toBeGreaterThan(0);
  await expect(
    page.getByRole("listbox", { name: "Messages", includeHidden: true }),
  ).toHaveAttribute("aria-busy", "true");

  release();
  await expect(messageList(page)).toHaveAttribute("aria-busy", "false");
  await rows(page).filter({ hasText: subject }).first().click();
  await expect(reader(page, subject)).toBeVisible();
});

/** Holds every script chunk of the app until the returned function is called. */
async function holdAllChunks(page: Page): Promise<{ held: string[]; release: () => void }> {
  const held: string[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/_next/static/chunks/*.js", async (route) => {
    held.push(new URL(route.request().url()).pathname);
    await released;
    await route.continue();
  });
  return { held, release };
}

test("a reload paints the cached rows before any of the app's code has run", async ({
  mailPage: page,
}) => {
  const subject = (await rows(page).first().getByTestId("row-subject").textContent()) ?? "";
  await expect.poll(() => snapshotStored(page), { timeout: 15_000 }).toBe(true);
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));

  const { held, release } = await holdAllChunks(page);
  await page.reload({ waitUntil: "commit" });
  const shownRow = page.getByTestId("row-subject").filter({ hasText: subject }).first();
  await expect(shownRow).toBeVisible();
  // No script of the app has run: every chunk asked for is still held, React among them.
  await expect.poll(() => held.length).toBeGreaterThan(0);
  await expect(
    page.getByRole("listbox", { name: "Messages", includeHidden: true }),
  ).toHaveAttribute("aria-busy", "true");

  release();
  await expect(messageList(page)).toHaveAttribute("aria-busy", "false");
  await expect(page.getByRole("listbox", { name: "Messages", includeHidden: true })).toHaveCount(1);
  await expect(page.locator("ferry-snapshot")).toHaveCount(0);
  await rows(page).filter({ hasText: subject }).first().click();
  await expect(reader(page, subject)).toBeVisible();
  expect(errors.filter((e) => /hydrat|#418|#423|#425/i.test(e))).toEqual([]);
});

test("a reload paints the cached rows, in the chosen colour scheme, from the page and its style sheet alone", async ({
  mailPage: page,
}) => {
  const subject = (await rows(page).first().getByTestId("row-subject").textContent()) ?? "";
  await expect.poll(() => snapshotStored(page), { timeout: 15_000 }).toBe(true);
  await page.evaluate(() => localStorage.setItem("ferry.theme", "dark"));
  const held: string[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/*", async (route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    const needed = request.resourceType() === "document" || request.resourceType() === "stylesheet";
    if (!needed) {
      held.push(path);
      await released;
    }
    await route.continue();
  });

  await page.reload({ waitUntil: "commit" });
  await expect(page.getByTestId("row-subject").filter({ hasText: subject }).first()).toBeVisible();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  expect(held.some((path) => path.endsWith(".js"))).toBe(true);

  release();
  await expect(messageList(page)).toHaveAttribute("aria-busy", "false");
  await expect(page.locator("ferry-snapshot")).toHaveCount(0);
});

test("a reload paints the row that arrived since the last one, at the top", async ({
  mailPage: page,
  stack,
  account,
}) => {
  await expect.poll(() => snapshotStored(page), { timeout: 15_000 }).toBe(true);
  const subject = unique("Arrived before the reload");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "news@example.test", to: account.email, subject }),
  );
  await expect(row(page, subject)).toBeVisible({ timeout: 15_000 });

  const { release } = await holdAllChunks(page);
  await page.reload({ waitUntil: "commit" });
  const painted = page.locator("ferry-snapshot").getByTestId("row-subject");
  await expect(painted.first()).toHaveText(subject);
  release();
  await expect(messageList(page)).toHaveAttribute("aria-busy", "false");
  await expect(rows(page).first()).toContainText(subject);
});

test("signing out removes the snapshot: the next reload paints no rows", async ({
  mailPage: page,
  isPhone,
}) => {
  await expect.poll(() => snapshotStored(page), { timeout: 15_000 }).toBe(true);
  await showFolders(page, isPhone);
  if (isPhone) {
    await page.getByRole("button", { name: /^Signed in as/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
  } else {
    await page.getByRole("button", { name: "Sign out" }).click();
  }
  await expect(page.getByLabel("Password")).toBeVisible();
  expect(await snapshotStored(page)).toBe(false);
  await page.reload();
  await expect(page.getByLabel("Password")).toBeVisible();
  await expect(page.getByTestId("row-subject")).toHaveCount(0);
});
