/**
 * Report spam and Not spam from the reader and on a selection, with Undo, against the real
 * Dovecot: the keywords ($Junk / $NotJunk) and the folders are checked over IMAP.
 */
import { listMailbox, waitForMessage } from "../compose/helpers";
import { clickAction, findAction } from "../fixtures/action-bar";
import {
  deliver,
  expect,
  rawMessage,
  reader,
  row,
  showFolders,
  test,
  unique,
} from "../fixtures/test";
import { folderLink } from "./helpers";

test.use({ seed: { inbox: 3, junk: 1 } });

function keywords(flags: string[]): string[] {
  return flags.filter((f) => f === "$Junk" || f === "$NotJunk");
}

test("Report spam and Not spam from the reader set $Junk / $NotJunk and move the message", async ({
  mailPage: page,
  stack,
  account,
  isPhone,
}) => {
  const subject = unique("Cheap watches");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "promo@spam.example.test", to: account.email, subject }),
  );
  await row(page, subject).click();
  await expect(reader(page, subject)).toBeVisible();
  await clickAction(page, "Report spam");
  await expect(page.getByRole("status").filter({ hasText: "Reported as spam" })).toBeVisible();

  const junked = await waitForMessage(stack, account, "\\Junk", subject);
  expect(keywords(junked.flags)).toEqual(["$Junk"]);
  expect((await listMailbox(stack, account, "INBOX")).map((m) => m.subject)).not.toContain(subject);

  await showFolders(page, isPhone);
  await folderLink(page, "Junk").click();
  await row(page, subject).click();
  await expect(reader(page, subject)).toBeVisible();
  const notSpam = await findAction(page, "Not spam");
  await expect(page.getByRole("button", { name: "Report spam" })).toHaveCount(0);
  await expect(page.getByRole("menuitem", { name: "Report spam" })).toHaveCount(0);
  await notSpam.click();
  await expect(
    page.getByRole("status").filter({ hasText: "Marked as not spam, moved to the Inbox" }),
  ).toBeVisible();

  const back = await waitForMessage(stack, account, "INBOX", subject);
  expect(keywords(back.flags)).toEqual(["$NotJunk"]);
  expect((await listMailbox(stack, account, "\\Junk")).map((m) => m.subject)).not.toContain(
    subject,
  );
});

test("Report spam on a selection, then Undo, puts the messages back without $Junk", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subjects = [unique("Prize"), unique("Lottery")];
  for (const subject of subjects) {
    await deliver(
      stack,
      account.email,
      rawMessage({ from: "win@spam.example.test", to: account.email, subject }),
    );
  }
  for (const subject of subjects) {
    await expect(row(page, subject)).toBeVisible();
    await row(page, subject).getByRole("checkbox").check();
  }
  await expect(page.getByText("2 selected")).toBeVisible();
  await clickAction(page, "Report spam");
  const toast = page.getByRole("status").filter({ hasText: "2 messages reported as spam" });
  await expect(toast).toBeVisible();
  for (const subject of subjects) await expect(row(page, subject)).toHaveCount(0);
  for (const subject of subjects) {
    const m = await waitForMessage(stack, account, "\\Junk", subject);
    expect(keywords(m.flags)).toEqual(["$Junk"]);
  }

  await toast.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Action undone" })).toBeVisible();
  for (const subject of subjects) {
    const m = await waitForMessage(stack, account, "INBOX", subject);
    expect(keywords(m.flags)).toEqual([]);
    await expect(row(page, subject)).toBeVisible();
  }
  const junk = (await listMailbox(stack, account, "\\Junk")).map((m) => m.subject);
  for (const subject of subjects) expect(junk).not.toContain(subject);
});
