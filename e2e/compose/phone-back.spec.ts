import { expect, folders, messageList, showFolders, test, unique } from "../fixtures/test";
import { fillMessage, listMailbox, openCompose } from "./helpers";

test.use({ seed: { inbox: 3 } });

test.describe("compose: Back on a phone", () => {
  test("Back closes the composer, keeps the draft, and stays in the app", async ({
    mailPage: page,
    account,
    stack,
    isPhone,
  }) => {
    test.skip(!isPhone, "phone layout: the composer fills the screen");
    const before = page.url();
    const subject = unique("Back to it later");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { subject, body: "Started on the bus." });

    await page.goBack();
    await expect(dialog).toBeHidden();
    await expect(messageList(page)).toBeVisible();
    expect(page.url()).toBe(before);
    await expect(page.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
    await expect
      .poll(async () =>
        (await listMailbox(stack, account, "\\Drafts")).filter((m) => m.subject === subject),
      )
      .toHaveLength(1);
  });

  test("a composer closed with its own button leaves Back where it was", async ({
    mailPage: page,
    isPhone,
  }) => {
    test.skip(!isPhone, "phone layout: the composer fills the screen");
    await showFolders(page, isPhone);
    const beforeSent = page.url();
    await folders(page)
      .getByRole("link", { name: /^Sent(,|$)/ })
      .click();
    await expect(page).toHaveURL(/folder=Sent/);

    const dialog = await openCompose(page);
    await fillMessage(dialog, { subject: unique("Not now") });
    await dialog.getByRole("button", { name: "Save and close" }).click();
    await expect(dialog).toBeHidden();

    // One Back leaves Sent, as it would have without the composer.
    await page.goBack();
    await expect(page).toHaveURL(beforeSent);
  });
});
