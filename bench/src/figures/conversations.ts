/**
 * Figure 12: conversations (one row per thread) on the largest INBOXes (10,000 and 100,000
 * messages in a full run; 10,000 in quick mode). This module runs it: the users' conversations
 * setting on, the setup (a 50-message thread and a short one, delivered now), and its parts in
 * order, each in its own module:
 *
 * - sign-in → first window of conversations, and jump to the middle (conversations-list.ts);
 * - open a 50-message conversation (conversations-open.ts);
 * - delivery → conversation row moved to the top (conversations-push.ts).
 *
 * What they share (the figure's name, the bench threads, a window of conversations, the
 * setting) is conversations-common.ts's.
 */
import { LIST_WINDOW_SIZE } from "@ferry/protocol";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { token } from "../mail/messages";
import { errorRow, type Row } from "../report";
import type { Account } from "../stack/mail";
import type { FigureContext } from "./context";
import {
  conversationWindow,
  deliverReply,
  FIGURE,
  setConversationView,
  THREAD_LENGTH,
  type Thread,
} from "./conversations-common";
import { jumpRows, signInRows } from "./conversations-list";
import { openRows } from "./conversations-open";
import { deliveryRows } from "./conversations-push";

export async function conversationsFigure(ctx: FigureContext): Promise<Row[]> {
  const sizes = ctx.config.sizes.filter((s) => s >= 10_000);
  const largest = Math.max(...sizes);
  const rows: Row[] = [];
  for (const size of sizes) {
    const user = ctx.mail.bySize.get(size);
    if (!user) throw new Error(`no user for size ${size}`);
    await setConversationView(ctx, user, true);
    rows.push(...(await signInRows(ctx, size, user)));
  }

  const user = ctx.mail.bySize.get(largest) as Account;
  // Setup: a 50-message thread and a short one below it, delivered now (seeded content stays).
  const long: Thread = { subject: token("Fifty replies"), ids: [] };
  const short: Thread = { subject: token("Short thread"), ids: [] };
  for (let i = 0; i < THREAD_LENGTH; i++) await deliverReply(ctx, user, long);
  for (let i = 0; i < 2; i++) await deliverReply(ctx, user, short);

  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    await client.request({ type: "mailbox.open", id: client.id(), path: "INBOX", readOnly: false });
    const first = await conversationWindow(client, 0, LIST_WINDOW_SIZE);
    // A large folder's first windows come from its newest messages (their total an estimate): a
    // window past that estimate waits for the whole folder's order and says how many there are.
    const whole = await conversationWindow(client, first.total, 1);
    rows.push(...(await jumpRows(ctx, largest, client, whole.total)));
    try {
      rows.push(...(await openRows(ctx, largest, client, long, short)));
    } catch (err) {
      rows.push(errorRow(`conv.open.bridge.${largest}`, FIGURE, "bridge", err));
    }
    rows.push(...(await deliveryRows(ctx, largest, user, client, [long, short])));
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
  return rows;
}
