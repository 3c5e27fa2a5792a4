/**
 * Figure 12's shared pieces (conversations.ts): its name and limits, the bench threads it
 * delivers over LMTP (a message with its References, a reply added to a thread), a window of
 * conversations on a signed-in socket, and the user's conversations setting.
 */
import { LIST_WINDOW_SIZE } from "@ferry/protocol";
import { ProtocolClient, signIn, signOut } from "../client/protocol";
import { token } from "../mail/messages";
import type { Account } from "../stack/mail";
import type { FigureContext } from "./context";

export const FIGURE = "12 conversations";
export const TIMEOUT_MS = 15_000;
export const THREAD_LENGTH = 50;

/** A message of a bench thread: `refs` (oldest first) make it a reply. */
function threadMessage(to: string, subject: string, id: string, refs: string[]): string {
  return [
    `From: "Bench Sender" <sender@bench.test>`,
    `To: <${to}>`,
    `Subject: ${refs.length > 0 ? "Re: " : ""}${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${id}`,
    ...(refs.length > 0 ? [`In-Reply-To: ${refs.at(-1)}`, `References: ${refs.join(" ")}`] : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Message ${refs.length + 1} of ${subject}, delivered by the Ferry benchmark.`,
    "",
  ].join("\r\n");
}

/** A thread being delivered: its subject and its messages' ids, oldest first. */
export interface Thread {
  subject: string;
  ids: string[];
}

export async function deliverReply(
  ctx: FigureContext,
  user: Account,
  thread: Thread,
): Promise<void> {
  const id = `<${token("conv").replace(/\W/g, "")}@bench.test>`;
  const raw = threadMessage(user.email, thread.subject, id, thread.ids);
  await ctx.mail.server.deliver(raw, { from: "sender@bench.test", to: [user.email] });
  thread.ids.push(id);
}

export async function conversationWindow(client: ProtocolClient, offset: number, limit: number) {
  const reply = await client.request({
    type: "list.window",
    id: client.id(),
    mailbox: "INBOX",
    offset,
    limit,
    conversations: true,
  });
  if (!reply.frame.conversations) throw new Error("list.window gave no conversations");
  return reply.frame;
}
/** One bridge-side sign-in to the first window of conversations; signs out afterwards. Milliseconds. */
export async function bridgeConversationSignIn(ctx: FigureContext, user: Account): Promise<number> {
  const t0 = performance.now();
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    const w = await conversationWindow(client, 0, LIST_WINDOW_SIZE);
    if (w.rows.length === 0) throw new Error("no conversation rows");
    return performance.now() - t0;
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
}

/** The user's setting: conversations on or off (it follows the user to the browser). */
export async function setConversationView(
  ctx: FigureContext,
  user: Account,
  on: boolean,
): Promise<void> {
  const cookie = await signIn(ctx.bridge, user);
  const client = await ProtocolClient.open(ctx.bridge, cookie);
  try {
    await client.request({
      type: "settings.save",
      id: client.id(),
      change: { conversations: on },
    });
  } finally {
    client.close();
    await signOut(ctx.bridge, cookie);
  }
}
