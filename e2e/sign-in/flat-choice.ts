/**
 * For the sign-in specs about a browser new to the account: a conversation of three messages
 * appended to INBOX, and a user who chose one row per message in another browser.
 */
import type { Page } from "@playwright/test";
import { appendChain } from "../conversations/thread-mail";
import { setConversationView } from "../fixtures/list-view";
import type { Account, Stack } from "../fixtures/stack";
import { expect, row, unique } from "../fixtures/test";

/** Appends a conversation of three messages (Ann and Bob, today, unread); returns its subject. */
export async function threeInOne(stack: Stack, account: Account, label: string): Promise<string> {
  const subject = unique(label);
  await appendChain(stack, account, {
    subject,
    count: 3,
    senders: ["Ann Lee", "Bob Ray"],
    daysAgo: 0,
    text: (n) => `message ${n}`,
    flags: () => [],
  });
  return subject;
}

/**
 * Appends threeInOne's conversation and saves "one row per message" in `page` (signed in), once
 * its list shows the conversation; returns its subject once the list shows its three rows.
 */
export async function flatChoiceSaved(
  page: Page,
  isPhone: boolean,
  stack: Stack,
  account: Account,
  label: string,
): Promise<string> {
  const subject = await threeInOne(stack, account, label);
  await expect(row(page, subject)).toHaveCount(1);
  await setConversationView(page, isPhone, false);
  await expect(row(page, subject)).toHaveCount(3);
  return subject;
}
