/**
 * Managing folders in the browser against the real Dovecot: create, nest, rename, move,
 * subscribe and delete, each seen live in a second browser of the same user and checked on the
 * server; copy a message; empty Trash; mark a folder read; and a folder deleted by another IMAP
 * client while it is open. On a desktop a folder's actions are its context menu and a folder is
 * moved by drag and drop; on a phone they are the open folder's "Folder options" menu.
 */
import type { Page } from "@playwright/test";
import type { ImapFlow } from "imapflow";
import { withImap } from "../compose/helpers";
import { clickAction } from "../fixtures/action-bar";
import { messagesInRow, messagesText, subjectOfRow } from "../fixtures/list-view";
import { expect, folders, reader, row, rows, showFolders, signIn, test } from "../fixtures/test";

/** A STATUS count of `path`, as another IMAP client sees it. */
async function statusOf(
  client: ImapFlow,
  path: string,
  item: "messages" | "unseen",
): Promise<number> {
  const status = await client.status(path, { [item]: true });
  return status === false ? -1 : (status[item] ?? -1);
}

function folderLink(page: Page, name: string) {
  return folders(page).getByRole("link", { name: new RegExp(`^${name}(,|$)`) });
}

/** Opens the actions of folder `name`: its context menu, or on a phone the open folder's menu. */
async function folderMenu(page: Page, name: string, isPhone: boolean): Promise<void> {
  await showFolders(page, isPhone);
  if (isPhone) {
    await folderLink(page, name).click();
    await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
    await page.getByRole("button", { name: "Folder options" }).click();
  } else {
    await folderLink(page, name).click({ button: "right" });
  }
  await expect(page.getByRole("menu")).toBeVisible();
}

async function serverFolders(
  stack: Parameters<typeof withImap>[0],
  account: { email: string; password: string },
) {
  return withImap(stack, account, async (c) =>
    (await c.list()).map((m) => `${m.path}${m.subscribed ? "" : " (unsubscribed)"}`).sort(),
  );
}

test.describe("folders", () => {
  test("create, nest, rename, move, subscribe and delete a folder, each seen live in a second browser", async ({
    mailPage: a,
    browser,
    account,
    stack,
    isPhone,
    isMobile,
    viewport,
    userAgent,
    hasTouch,
  }) => {
    const context = await browser.newContext({
      isMobile,
      hasTouch,
      ...(viewport ? { viewport } : {}),
      ...(userAgent ? { userAgent } : {}),
      baseURL: new URL(a.url()).origin,
    });
    const b = await context.newPage();
    await signIn(b, account);
    await showFolders(b, isPhone);

    // Create at the top level.
    await showFolders(a, isPhone);
    await folders(a).getByRole("button", { name: "New folder" }).click();
    const form = a.getByRole("dialog", { name: "New folder" });
    // A name with the delimiter is refused in the form, before anything is sent.
    await form.getByLabel("Folder name").fill("Pro/jects");
    await expect(form.getByRole("alert")).toHaveText(/cannot contain “\/”/);
    await form.getByLabel("Folder name").fill("Projects");
    await form.getByRole("button", { name: "Create" }).click();
    await expect(form).toBeHidden();
    await expect(folderLink(b, "Projects")).toBeVisible();
    await withImap(stack, account, (c) =>
      c.append("Projects", "Subject: kept\r\n\r\nkept\r\n").then(() => undefined),
    );

    // Nest: a folder inside it, with a non-ASCII name.
    await folderMenu(a, "Projects", isPhone);
    await a.getByRole("menuitem", { name: "New folder inside…" }).click();
    const inside = a.getByRole("dialog", { name: "New folder inside Projects" });
    await inside.getByLabel("Folder name").fill("Été 2024");
    await inside.getByRole("button", { name: "Create" }).click();
    await expect(folderLink(b, "Été 2024")).toBeVisible();
    expect(await serverFolders(stack, account)).toContain("Projects/Été 2024");

    // Rename it.
    await folderMenu(a, "Été 2024", isPhone);
    await a.getByRole("menuitem", { name: "Rename" }).click();
    const rename = a.getByRole("dialog", { name: "Rename Été 2024" });
    await rename.getByLabel("Folder name").fill("Summer 2024");
    await rename.getByRole("button", { name: "Rename" }).click();
    await expect(folderLink(b, "Summer 2024")).toBeVisible();
    await expect(folderLink(b, "Été 2024")).toHaveCount(0);

    // Move a top-level folder into Projects: drag and drop, or "Move to…" on a phone.
    await showFolders(a, isPhone);
    await folders(a).getByRole("button", { name: "New folder" }).click();
    await a.getByRole("dialog", { name: "New folder" }).getByLabel("Folder name").fill("Receipts");
    await a
      .getByRole("dialog", { name: "New folder" })
      .getByRole("button", { name: "Create" })
      .click();
    await expect(folderLink(b, "Receipts")).toHaveAttribute("href", /folder=Receipts$/);
    if (isPhone) {
      await folderMenu(a, "Receipts", isPhone);
      await a.getByRole("menuitem", { name: "Move to…" }).click();
      await a
        .getByRole("dialog", { name: "Move Receipts to…" })
        .getByRole("button", { name: "Projects" })
        .click();
    } else {
      await folderLink(a, "Receipts").dragTo(folderLink(a, "Projects"));
    }
    await expect(folderLink(b, "Receipts")).toHaveAttribute("href", /folder=Projects%2FReceipts$/);
    expect(await serverFolders(stack, account)).toEqual(
      expect.arrayContaining(["Projects/Receipts", "Projects/Summer 2024"]),
    );

    // Unsubscribe and subscribe again from "Manage folders".
    await showFolders(a, isPhone);
    await folders(a).getByRole("button", { name: "Manage folders" }).click();
    const manage = a.getByRole("dialog", { name: "Manage folders" });
    await manage.getByRole("checkbox", { name: "Show Receipts" }).uncheck();
    await expect(folderLink(b, "Receipts")).toHaveCount(0);
    expect(await serverFolders(stack, account)).toContain("Projects/Receipts (unsubscribed)");
    await manage.getByRole("checkbox", { name: "Show Receipts" }).check();
    await expect(folderLink(b, "Receipts")).toBeVisible();
    await manage.getByRole("button", { name: "Close" }).click();

    // Inbox and the special-use folders offer no Rename or Delete.
    await folderMenu(a, "Sent", isPhone);
    await expect(a.getByRole("menuitem", { name: "Delete" })).toHaveCount(0);
    await expect(a.getByRole("menuitem", { name: "Rename" })).toHaveCount(0);
    await a.keyboard.press("Escape");

    // Delete Projects: the confirmation names its messages and subfolders.
    await folderMenu(a, "Projects", isPhone);
    await a.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = a.getByRole("dialog", { name: "Delete Projects?" });
    await expect(confirm).toContainText("It holds 1 message.");
    await expect(confirm).toContainText("Its 2 subfolders are deleted too.");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(folderLink(b, "Projects")).toHaveCount(0);
    await expect(folderLink(b, "Receipts")).toHaveCount(0);
    expect((await serverFolders(stack, account)).filter((p) => p.startsWith("Projects"))).toEqual(
      [],
    );
    // The tab that showed Projects is back in the inbox.
    await expect(a).not.toHaveURL(/folder=Projects/);
    await context.close();
  });

  test("new folder and rename take the name typed at once, Enter confirms", async ({
    mailPage: page,
    isPhone,
  }) => {
    await showFolders(page, isPhone);
    await folders(page).getByRole("button", { name: "New folder" }).click();
    const form = page.getByRole("dialog", { name: "New folder" });
    await expect(form.getByLabel("Folder name")).toBeFocused();
    await page.keyboard.type("Typed at once");
    await page.keyboard.press("Enter");
    await expect(form).toBeHidden();
    await showFolders(page, isPhone);
    await expect(folderLink(page, "Typed at once")).toBeVisible();

    // Rename: the old name is selected, so typing replaces it.
    await folderMenu(page, "Typed at once", isPhone);
    await page.getByRole("menuitem", { name: "Rename" }).click();
    await expect(page.getByRole("dialog", { name: "Rename Typed at once" })).toBeVisible();
    await page.keyboard.type("Renamed at once");
    await page.keyboard.press("Enter");
    await showFolders(page, isPhone);
    await expect(folderLink(page, "Renamed at once")).toBeVisible();
    await expect(folderLink(page, "Typed at once")).toHaveCount(0);
  });

  test("a bad name is refused on the server too, and nothing changes", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    const before = await serverFolders(stack, account);
    await showFolders(page, isPhone);
    await folders(page).getByRole("button", { name: "New folder" }).click();
    const form = page.getByRole("dialog", { name: "New folder" });
    for (const [name, said] of [
      ["   ", /Give the folder a name/],
      ["x".repeat(1000), /too long/],
      ["/Leading", /cannot contain “\/”/],
      ["INBOX", /reserved/],
      ["Sent", /already there/],
    ] as const) {
      await form.getByLabel("Folder name").fill(name);
      await form.getByRole("button", { name: "Create" }).click();
      await expect(form.getByRole("alert")).toHaveText(said);
      await expect(form).toBeVisible();
    }
    await form.getByRole("button", { name: "Cancel" }).click();
    expect(await serverFolders(stack, account)).toEqual(before);
  });

  test("copy a conversation to another folder", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    const first = rows(page).first();
    const subject = await subjectOfRow(first);
    // A conversation row stands for all of its messages here.
    const n = await messagesInRow(first);
    await first.click();
    await expect(reader(page)).toBeVisible();
    const archiveBefore = await withImap(stack, account, async (c) =>
      statusOf(c, "Archive", "messages"),
    );
    await clickAction(page, "Copy to…");
    await page.getByRole("menuitem", { name: "Copy to Archive" }).click();
    await expect(
      page.getByText(
        messagesText(n, "Message copied to Archive", (k) => `${k} messages copied to Archive`),
      ),
    ).toBeVisible();
    const after = await withImap(stack, account, async (c) => ({
      archive: await statusOf(c, "Archive", "messages"),
      inbox: await statusOf(c, "INBOX", "messages"),
    }));
    expect(after).toEqual({ archive: (archiveBefore ?? 0) + n, inbox: 40 });
    if (isPhone) await page.goBack();
    await showFolders(page, isPhone);
    await folderLink(page, "Archive").click();
    await expect(row(page, subject ?? "")).toBeVisible();
  });

  test("empty Trash, with a warning that it is final", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    await folderMenu(page, "Trash", isPhone);
    await page.getByRole("menuitem", { name: "Empty Trash" }).click();
    const confirm = page.getByRole("dialog", { name: "Empty Trash?" });
    await expect(confirm).toContainText(
      "2 messages will be deleted for good. This cannot be undone.",
    );
    await confirm.getByRole("button", { name: "Delete for good" }).click();
    await expect(page.getByText("Trash emptied")).toBeVisible();
    expect(await withImap(stack, account, async (c) => statusOf(c, "Trash", "messages"))).toBe(0);
    await showFolders(page, isPhone);
    await folderLink(page, "Trash").click();
    await expect(page.getByText("No messages here")).toBeVisible();
  });

  test("mark all as read in a folder, on the server", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    await folderMenu(page, "Inbox", isPhone);
    await page.getByRole("menuitem", { name: "Mark all as read" }).click();
    await showFolders(page, isPhone);
    await expect(folderLink(page, "Inbox")).toHaveAccessibleName("Inbox");
    await expect
      .poll(() => withImap(stack, account, async (c) => statusOf(c, "INBOX", "unseen")))
      .toBe(0);
  });

  test("a folder deleted by another IMAP client while open: the tab says so and shows the inbox", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    await withImap(stack, account, async (c) => {
      await c.mailboxCreate("Doomed");
      await c.append("Doomed", "Subject: in doomed\r\n\r\nsoon gone\r\n");
    });
    await page.goto("/?folder=Doomed");
    await expect(page.getByRole("heading", { name: "Doomed", level: 1 })).toBeVisible();
    await expect(rows(page)).toHaveCount(1);
    await withImap(stack, account, (c) => c.mailboxDelete("Doomed").then(() => undefined));
    await expect(
      page.getByText("The folder Doomed was deleted or renamed elsewhere"),
    ).toBeVisible();
    await expect(page).not.toHaveURL(/folder=Doomed/);
    await expect(page.getByRole("heading", { name: "Inbox", level: 1 })).toBeVisible();
    await showFolders(page, isPhone);
    await expect(folderLink(page, "Doomed")).toHaveCount(0);
  });
});
