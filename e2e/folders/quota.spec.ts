/**
 * Quota in the folder pane, against Dovecot's quota plugin with a per-user limit: a mailbox
 * well under its limit shows the Storage meter without a warning; mail that takes it past 90%
 * turns the warning on in the open page, without a reload.
 */
import { randomBytes } from "node:crypto";
import { deliver, expect, folders, rawMessage, showFolders, signIn, test } from "../fixtures/test";

const LIMIT_KB = 200;

/** A plain message of about `kb` KiB. */
function messageOf(to: string, kb: number, subject: string): string {
  const line = `${"x".repeat(76)}\n`;
  return rawMessage({
    from: "carol@example.test",
    to,
    subject,
    text: line.repeat(Math.ceil((kb * 1024) / line.length)),
  });
}

test("a mailbox near its quota shows a full meter and a warning", async ({
  page,
  stack,
  isPhone,
}) => {
  const account = {
    email: `quota-${randomBytes(4).toString("hex")}@example.test`,
    password: randomBytes(9).toString("base64url"),
  };
  await stack.mail.addUser(account.email, account.password, { quotaKb: LIMIT_KB });
  await deliver(stack, account.email, messageOf(account.email, 140, "Holiday photos"));

  await signIn(page, account);
  await showFolders(page, isPhone);
  const meter = page.getByRole("meter", { name: "Storage" });
  await expect(meter).toBeVisible();
  await expect(meter).toHaveAttribute("aria-valuetext", /^\d+ kB of 205 kB$/);
  const warning = page.getByRole("status").filter({ hasText: "Your mailbox is almost full" });
  await expect(page.getByText(/^7\d% used$/)).toBeVisible();
  await expect(warning).toHaveCount(0);
  await expect(folders(page)).toBeVisible();

  // Mail arrives while the page is open: past 90% the warning shows.
  await deliver(stack, account.email, messageOf(account.email, 45, "More photos"));
  await expect(warning).toBeVisible();
  await expect(page.getByText(/^(9\d|100)% used$/)).toBeVisible();
});
