/**
 * "Unsubscribe" in the reader, by the message's List-Unsubscribe header, against the real stack:
 * a mailto: is sent through Postfix once the user confirms; an https link opens only through the
 * link dialog that shows where it goes. A message without the header has no button.
 */
import { newAccount, waitForMessage } from "../compose/helpers";
import { deliver, expect, rawMessage, reader, row, test, unique } from "../fixtures/test";

test.use({ seed: { inbox: 3 } });

function listMail(to: string, subject: string, unsubscribe: string): string {
  return rawMessage({ from: "news@lists.example.test", to, subject, text: "News." }).replace(
    "MIME-Version: 1.0",
    `List-Unsubscribe: ${unsubscribe}\r\nMIME-Version: 1.0`,
  );
}

test("a mailto: unsubscribe is sent through Postfix after the user confirms", async ({
  mailPage: page,
  stack,
  account,
}, testInfo) => {
  const list = await newAccount(stack, testInfo, "list");
  const subject = unique("Newsletter");
  const request = unique("unsubscribe me");
  await deliver(
    stack,
    account.email,
    listMail(
      account.email,
      subject,
      `<mailto:${list.email}?subject=${encodeURIComponent(request)}>`,
    ),
  );
  await row(page, subject).click();
  await reader(page, subject).getByRole("button", { name: "Unsubscribe" }).click();
  const confirm = page.getByRole("dialog", { name: "Unsubscribe by email?" });
  await expect(confirm).toContainText(list.email);
  await confirm.getByRole("button", { name: "Send" }).click();
  await expect(confirm).toBeHidden();
  await expect(
    page.getByRole("status").filter({ hasText: `Unsubscribe message sent to ${list.email}` }),
  ).toBeVisible();
  const sent = await waitForMessage(stack, list, "INBOX", request);
  expect(sent.from).toBe(account.email);
});

test("an https unsubscribe link opens only through the dialog that shows where it goes", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const plain = unique("Plain mail");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "friend@example.test", to: account.email, subject: plain }),
  );
  const subject = unique("Offers");
  await deliver(
    stack,
    account.email,
    listMail(account.email, subject, "<https://lists.example.test/unsub?u=42>"),
  );
  await row(page, plain).click();
  await expect(reader(page, plain)).toBeVisible();
  await expect(reader(page, plain).getByRole("button", { name: "Unsubscribe" })).toHaveCount(0);

  await page.goBack();
  await row(page, subject).click();
  await reader(page, subject).getByRole("button", { name: "Unsubscribe" }).click();
  const dialog = page.getByRole("dialog", { name: "Check this link before you open it" });
  await expect(dialog.getByTestId("link-host")).toHaveText("lists.example.test");
  await expect(dialog.getByTestId("link-destination")).toContainText("/unsub?u=42");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect(page.context().pages()).toHaveLength(1);
});
