/**
 * The vacation reply (Sieve vacation, RFC 5230) turned on in Settings, against the real Dovecot
 * (Pigeonhole) and Postfix: a banner says it is on, and a sender who writes twice through
 * Postfix gets exactly one reply, through Postfix too.
 */
import { listMailbox, newAccount, waitForMessage } from "../compose/helpers";
import { openSettings } from "../fixtures/list-view";
import { expect, submit, test, unique } from "../fixtures/test";

test.use({ seed: { inbox: 3 } });

test("the vacation reply answers a sender once for two messages, with a banner while it is on", async ({
  mailPage: page,
  stack,
  account,
  isPhone,
}, testInfo) => {
  const friend = await newAccount(stack, testInfo, "friend");
  const away = unique("Away until Monday");

  const settings = await openSettings(page, isPhone);
  const on = settings.getByRole("switch", { name: "Vacation reply" });
  await expect(on).toHaveAttribute("aria-checked", "false");
  await on.click();
  await expect(on).toHaveAttribute("aria-checked", "true");
  await settings.getByLabel("Subject", { exact: true }).fill(away);
  await settings.getByLabel("Message", { exact: true }).fill("I am away.\nBack on Monday.");
  await settings.getByRole("button", { name: "Save vacation reply" }).click();
  await expect(
    settings.getByRole("status").filter({ hasText: "The vacation reply is on." }),
  ).toBeVisible();
  await settings.getByRole("button", { name: "Close" }).click();

  const banner = page.getByRole("region", { name: "Vacation reply" });
  await expect(banner).toContainText("Your vacation reply is on.");

  for (const subject of [unique("First"), unique("Second")]) {
    await submit(stack, friend, { to: account.email, subject, text: "Are you there?" });
    await waitForMessage(stack, account, "INBOX", subject);
  }
  // Sent after both deliveries were answered (or not): once it is in, so is any reply.
  const marker = unique("marker");
  await submit(stack, account, { to: friend.email, subject: marker, text: "m" });
  await waitForMessage(stack, friend, "INBOX", marker);
  const replies = (await listMailbox(stack, friend, "INBOX")).filter((m) => m.subject === away);
  expect(replies).toHaveLength(1);
  expect(replies[0]?.from).toBe(account.email);

  await banner.getByRole("button", { name: "Turn off" }).click();
  await expect(banner).toBeHidden();
});
