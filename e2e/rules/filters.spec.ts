/**
 * Filters made in Ferry run on the mail server (Sieve at delivery), against the real Dovecot
 * (Pigeonhole) and Postfix: a filter from Settings files mail Postfix delivers while the folder is
 * on screen; a bad forward address is refused before anything reaches the server; "Filter
 * messages like this" prefills List-Id and "Apply to existing mail" acts on the Inbox; a script
 * another client made active survives until the user switches; with rules off nothing shows.
 */
import { listMailbox, newAccount, secondBrowser, waitForMessage } from "../compose/helpers";
import { findAction } from "../fixtures/action-bar";
import { openSettings } from "../fixtures/list-view";
import {
  deliver,
  expect,
  messageList,
  rawMessage,
  reader,
  row,
  showFolders,
  signIn,
  submit,
  test,
  unique,
} from "../fixtures/test";
import {
  createFolder,
  folderLink,
  listScripts,
  putActiveScript,
  startBridgeWithoutRules,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

test.describe("filters", () => {
  test("a filter made in Settings files mail Postfix delivers: in Receipts, read, live; Inbox untouched", async ({
    page,
    stack,
    account,
    isPhone,
  }, testInfo) => {
    const shop = await newAccount(stack, testInfo, "shop");
    await createFolder(stack, account, "Receipts");
    await signIn(page, account);

    const settings = await openSettings(page, isPhone);
    await expect(settings.getByRole("heading", { name: "Filters" })).toBeVisible();
    await settings.getByRole("button", { name: "New filter" }).click();
    const editor = page.getByRole("dialog", { name: "New filter" });
    await expect(editor).toBeVisible();
    await editor.getByLabel("From", { exact: true }).fill(shop.email);
    await editor.getByLabel("Move to", { exact: true }).selectOption({ label: "Receipts" });
    await editor.getByRole("button", { name: "Add an action" }).click();
    await expect(editor.getByLabel("Action 2")).toHaveValue("mark-read");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(editor).toBeHidden();
    await expect(settings.getByRole("listitem", { name: `From: ${shop.email}` })).toBeVisible();
    await settings.getByRole("button", { name: "Close" }).click();

    const inboxBefore = (await listMailbox(stack, account, "INBOX")).length;
    await showFolders(page, isPhone);
    const inboxName = await folderLink(page, "Inbox").getAttribute("aria-label");
    await folderLink(page, "Receipts").click();
    await expect(page.getByText("No messages here")).toBeVisible();

    const subject = unique("Your receipt");
    await submit(stack, shop, { to: account.email, subject, text: "Thank you for your order." });

    // Filed at delivery: the open Receipts list gets it live, already read.
    await expect(row(page, subject)).toBeVisible({ timeout: 20_000 });
    await expect(page.getByText("1 conversation", { exact: true })).toBeVisible();
    await expect(row(page, subject)).not.toHaveAccessibleName(/^unread/);
    const filed = await waitForMessage(stack, account, "Receipts", subject);
    expect(filed.flags).toContain("\\Seen");
    const inbox = await listMailbox(stack, account, "INBOX");
    expect(inbox.map((m) => m.subject)).not.toContain(subject);
    expect(inbox).toHaveLength(inboxBefore);
    await showFolders(page, isPhone);
    await expect(folderLink(page, "Inbox")).toHaveAttribute("aria-label", inboxName ?? "Inbox");
  });

  test("Add a condition and Add an action move the focus to the new row", async ({
    mailPage: page,
    isPhone,
  }) => {
    const settings = await openSettings(page, isPhone);
    await settings.getByRole("button", { name: "New filter" }).click();
    const editor = page.getByRole("dialog", { name: "New filter" });
    await editor.getByRole("button", { name: "Add a condition" }).click();
    await expect(editor.getByLabel("Condition 2", { exact: true })).toBeFocused();
    await editor.getByRole("button", { name: "Add an action" }).click();
    await expect(editor.getByLabel("Action 2", { exact: true })).toBeFocused();
  });

  test("a forward to an invalid address is refused before anything is saved", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const settings = await openSettings(page, isPhone);
    await settings.getByRole("button", { name: "New filter" }).click();
    const editor = page.getByRole("dialog", { name: "New filter" });
    await editor.getByLabel("From", { exact: true }).fill("boss@example.test");
    await editor.getByLabel("Action 1").selectOption("forward");
    await editor.getByLabel("Forward to", { exact: true }).fill("not an address");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(editor.getByRole("alert")).toHaveText(
      "Correct the marked fields, then save again.",
    );
    await expect(editor.getByText("Enter an email address like name@example.com.")).toBeVisible();
    await expect(editor.getByLabel("Forward to", { exact: true })).toHaveAttribute(
      "aria-invalid",
      "true",
    );
    expect(await listScripts(stack, account)).toEqual({ active: null, scripts: {} });

    await editor.getByLabel("Forward to", { exact: true }).fill("assistant@example.test");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(editor).toBeHidden();
    const after = await listScripts(stack, account);
    expect(after.active).toBe("ferry");
    expect(after.scripts.ferry).toContain("assistant@example.test");
  });

  test("'Filter messages like this' prefills List-Id; 'Apply to existing mail' files the Inbox's matches", async ({
    page,
    stack,
    account,
    isPhone,
  }) => {
    await createFolder(stack, account, "Lists");
    const subject = unique("Weekly digest");
    const raw = rawMessage({
      from: "news@lists.example.test",
      to: account.email,
      subject,
      text: "This week.",
    }).replace(
      "MIME-Version: 1.0",
      "List-Id: Weekly news <weekly.lists.example.test>\r\nMIME-Version: 1.0",
    );
    await deliver(stack, account.email, raw);
    await signIn(page, account);

    await row(page, subject).click();
    await expect(reader(page, subject)).toBeVisible();
    await reader(page, subject).getByRole("button", { name: "Filter messages like this" }).click();
    const editor = page.getByRole("dialog", { name: "New filter" });
    await expect(editor.getByLabel("Condition 1")).toHaveValue("list-id");
    await expect(editor.getByLabel("List-Id", { exact: true })).toHaveValue(
      "weekly.lists.example.test",
    );
    await editor.getByLabel("Move to", { exact: true }).selectOption({ label: "Lists" });
    await editor.getByRole("button", { name: "Save" }).click();

    const offer = editor.getByRole("region", { name: "Apply to existing mail" });
    await expect(offer).toContainText("1 message already in the Inbox matches it.");
    await offer.getByRole("button", { name: "Apply to 1 message" }).click();
    await expect(editor).toBeHidden();
    await expect(
      page.getByRole("status").filter({ hasText: "Filter applied to 1 message" }),
    ).toBeVisible();
    await waitForMessage(stack, account, "Lists", subject);
    expect((await listMailbox(stack, account, "INBOX")).map((m) => m.subject)).not.toContain(
      subject,
    );
    if (!isPhone)
      await expect(messageList(page).getByRole("option", { name: subject })).toHaveCount(0);
  });

  test("a script another client made active survives: shown read-only until the user switches", async ({
    page,
    stack,
    account,
    isPhone,
  }) => {
    const foreign =
      'require ["fileinto"];\r\nif header :contains "subject" "invoice" { fileinto "Invoices"; }\r\n';
    await putActiveScript(stack, account, "roundcube", foreign);
    await signIn(page, account);

    const settings = await openSettings(page, isPhone);
    const notice = settings.getByRole("region", { name: /“roundcube”, is active/ });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('fileinto "Invoices"');

    await settings.getByRole("button", { name: "New filter" }).click();
    const editor = page.getByRole("dialog", { name: "New filter" });
    await editor.getByLabel("From", { exact: true }).fill("alerts@example.test");
    await editor.getByLabel("Action 1").selectOption("star");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(editor).toBeHidden();

    let scripts = await listScripts(stack, account);
    expect(scripts.active).toBe("roundcube");
    expect(scripts.scripts.roundcube).toBe(foreign);
    expect(scripts.scripts.ferry).toContain("alerts@example.test");

    await notice.getByRole("button", { name: "Keep it active" }).click();
    await expect(notice).toBeVisible();
    expect((await listScripts(stack, account)).active).toBe("roundcube");

    await notice.getByRole("button", { name: "Use Ferry's filters" }).click();
    await expect(notice).toBeHidden();
    scripts = await listScripts(stack, account);
    expect(scripts.active).toBe("ferry");
    expect(scripts.scripts.roundcube).toBe(foreign);
  });

  test("filters run in the order shown: Move down in a filter's menu (and drag on a desktop) reorders them on the server", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const settings = await openSettings(page, isPhone);
    for (const sender of ["first@example.test", "second@example.test"]) {
      await settings.getByRole("button", { name: "New filter" }).click();
      const editor = page.getByRole("dialog", { name: "New filter" });
      await editor.getByLabel("From", { exact: true }).fill(sender);
      await editor.getByLabel("Action 1").selectOption("star");
      await editor.getByRole("button", { name: "Save" }).click();
      await expect(editor).toBeHidden();
    }
    const order = async () => {
      const text = (await listScripts(stack, account)).scripts.ferry ?? "";
      return text.indexOf("first@example.test") < text.indexOf("second@example.test")
        ? ["first", "second"]
        : ["second", "first"];
    };
    const items = settings.getByRole("list", { name: "Filters" }).getByRole("listitem");
    await expect(items).toHaveText([/first@/, /second@/]);
    expect(await order()).toEqual(["first", "second"]);

    await settings.getByRole("button", { name: "More for From: first@example.test" }).click();
    await page.getByRole("menuitem", { name: "Move down" }).click();
    await expect(items).toHaveText([/second@/, /first@/]);
    await expect.poll(order).toEqual(["second", "first"]);

    if (!isPhone) {
      await items.nth(1).dragTo(items.nth(0));
      await expect(items).toHaveText([/first@/, /second@/]);
      await expect.poll(order).toEqual(["first", "second"]);
    }
  });

  test("with rules off (FERRY_SIEVE_PORT=0) no filters, vacation reply or filter button show", async ({
    browser,
    page: like,
    stack,
    account,
    isPhone,
    hasTouch,
    viewport,
    userAgent,
  }) => {
    const other = await startBridgeWithoutRules(stack);
    const { context, page } = await secondBrowser(browser, like, account, {
      isMobile: isPhone,
      hasTouch,
      viewport,
      userAgent,
      baseURL: other.url,
    });
    try {
      const settings = await openSettings(page, isPhone);
      await expect(settings.getByRole("heading", { name: "Send mail as" })).toBeVisible();
      await expect(settings.getByRole("heading", { name: "Filters" })).toHaveCount(0);
      await expect(settings.getByRole("button", { name: "New filter" })).toHaveCount(0);
      await expect(settings.getByRole("switch", { name: "Vacation reply" })).toHaveCount(0);
      await settings.getByRole("button", { name: "Close" }).click();
      if (isPhone) await folderLink(page, "Inbox").click();
      await messageList(page).getByRole("option").first().click();
      await expect(page.getByRole("article")).toBeVisible();
      await expect(await findAction(page, "Report spam")).toBeVisible();
      await expect(page.getByRole("button", { name: "Filter messages like this" })).toHaveCount(0);
    } finally {
      await context.close();
      await other.close();
    }
  });
});
