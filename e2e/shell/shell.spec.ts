import { expect, folders, messageList, reader, rows, showFolders, test } from "../fixtures/test";

test.describe("the app shell", () => {
  test("folders: a navigation landmark, standard folders first, named with unread counts", async ({
    mailPage: page,
    isPhone,
  }) => {
    await showFolders(page, isPhone);
    const links = folders(page).getByRole("link");
    const names = await links.evaluateAll((els) =>
      els.map((e) => e.getAttribute("aria-label") ?? ""),
    );
    expect(names[0]).toMatch(/^Inbox, \d+ unread$/);
    const order = names.map((n) => n.split(",")[0]);
    expect(order.slice(0, 6)).toEqual(["Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash"]);
    // Unread counts are on the links' names only when non-zero.
    for (const name of names) expect(name).not.toMatch(/, 0 unread/);
    await expect(folders(page).getByRole("link", { name: /^Inbox/ })).toHaveAttribute(
      "aria-current",
      "page",
    );
  });

  test("desktop: three panes, resizable with a pointer or the keyboard", async ({
    mailPage: page,
    isPhone,
  }) => {
    test.skip(isPhone, "desktop layout");
    await expect(folders(page)).toBeVisible();
    await expect(messageList(page)).toBeVisible();
    await expect(page.getByText("Select a message to read it")).toBeVisible();

    const splitter = page.getByRole("separator", { name: "Resize folders pane" });
    const before = Number(await splitter.getAttribute("aria-valuenow"));
    await splitter.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect(splitter).toHaveAttribute("aria-valuenow", String(before + 32));

    const listSplitter = page.getByRole("separator", { name: "Resize message list" });
    const box = await listSplitter.boundingBox();
    if (!box) throw new Error("no splitter box");
    const listBefore = (await messageList(page).boundingBox())?.width ?? 0;
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + 200, { steps: 5 });
    await page.mouse.up();
    await expect
      .poll(async () => (await messageList(page).boundingBox())?.width ?? 0)
      .toBeGreaterThan(listBefore + 100);

    // The widths are kept across a reload.
    await page.reload();
    await expect(page.getByRole("separator", { name: "Resize folders pane" })).toHaveAttribute(
      "aria-valuenow",
      String(before + 32),
    );
  });

  test("phone: one pane at a time with back navigation and 44 px touch targets", async ({
    mailPage: page,
    isPhone,
  }) => {
    test.skip(!isPhone, "phone layout");
    await expect(messageList(page)).toBeVisible();
    await expect(folders(page)).toHaveCount(0);

    // Folders are a screen of their own; Back returns to the list.
    await page.getByRole("button", { name: "Show folders" }).click();
    await expect(folders(page)).toBeVisible();
    await expect(messageList(page)).toHaveCount(0);
    for (const link of await folders(page).getByRole("link").all()) {
      const b = await link.boundingBox();
      expect(b?.height ?? 0).toBeGreaterThanOrEqual(44);
    }
    await page.goBack();
    await expect(messageList(page)).toBeVisible();

    // A message takes the whole screen; Back (the app's or the browser's) returns to the list.
    const first = rows(page).first();
    const name = (await first.getAttribute("aria-label")) ?? "";
    await first.click();
    await expect(reader(page)).toBeVisible();
    await expect(messageList(page)).toHaveCount(0);
    for (const button of await page
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button")
      .all()) {
      const b = await button.boundingBox();
      expect(b?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(b?.width ?? 0).toBeGreaterThanOrEqual(44);
    }
    await page.getByRole("button", { name: "Back to messages" }).click();
    await expect(messageList(page)).toBeVisible();
    await expect(reader(page)).toHaveCount(0);
    expect(name).not.toBe("");
    await rows(page).first().click();
    await expect(reader(page)).toBeVisible();
    await page.goBack();
    await expect(messageList(page)).toBeVisible();
    const rowBox = await rows(page).first().boundingBox();
    expect(rowBox?.height ?? 0).toBeGreaterThanOrEqual(44);
  });

  test("deep links and Back: folder and message live in the URL", async ({
    mailPage: page,
    isPhone,
  }) => {
    await showFolders(page, isPhone);
    await folders(page).getByRole("link", { name: /^Sent/ }).click();
    await expect(page).toHaveURL(/folder=Sent/);
    await expect(page.getByRole("heading", { name: "Sent", level: 1 })).toBeVisible();
    const first = rows(page).first();
    await first.click();
    await expect(page).toHaveURL(/msg=\d+%3A\d+|msg=\d+:\d+/);
    const url = page.url();
    const subject = (await reader(page).getByRole("heading", { level: 2 }).textContent()) ?? "";

    // A fresh load of the deep link shows the same message.
    await page.goto(url);
    await expect(reader(page, subject)).toBeVisible();

    await page.goBack();
    await page.goBack();
    await expect(page).not.toHaveURL(/folder=Sent/);
  });

  test("a web app manifest with icons is linked", async ({ page, request }) => {
    await page.goto("/");
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    expect(href).toBeTruthy();
    const manifest = await (await request.get(href ?? "")).json();
    expect(manifest.name).toBe("Ferry");
    expect(manifest.display).toBe("standalone");
    const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
    expect(sizes).toContain("192x192");
    expect(sizes).toContain("512x512");
    for (const icon of manifest.icons) expect((await request.get(icon.src)).ok()).toBe(true);
  });

  test("dark mode follows the system, and the toggle overrides it", async ({
    browser,
    baseURL,
  }) => {
    const context = await browser.newContext({ colorScheme: "dark", baseURL: baseURL ?? "" });
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.locator("html")).toHaveClass(/dark/);
    await page.getByRole("button", { name: "Theme: system" }).click();
    await expect(page.getByRole("button", { name: "Theme: dark" })).toBeVisible();
    await page.getByRole("button", { name: "Theme: dark" }).click();
    await expect(page.locator("html")).not.toHaveClass(/dark/);
    await page.reload();
    await expect(page.locator("html")).not.toHaveClass(/dark/);
    await expect(page.getByRole("button", { name: "Theme: light" })).toBeVisible();
    await context.close();
  });
});
