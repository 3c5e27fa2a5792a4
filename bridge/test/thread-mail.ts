/**
 * Conversations for the threading tests: a message written by `from` to or from `me` (the
 * account under test), with its Message-ID and, for a reply, In-Reply-To and References naming
 * the ids it follows (oldest first); and a three-message exchange appended in INBOX and Sent.
 */
import type { ImapFlow } from "imapflow";

/** A message of a conversation, as the tests append or deliver it. */
export function threadMessage(
  me: string,
  opts: { from: string; subject: string; id: string; refs?: string[] },
): string {
  return [
    `From: ${opts.from}`,
    `To: ${opts.from === me ? "bob@example.test" : me}`,
    `Subject: ${opts.subject}`,
    `Message-ID: <${opts.id}>`,
    ...(opts.refs
      ? [
          `In-Reply-To: <${opts.refs.at(-1)}>`,
          `References: ${opts.refs.map((r) => `<${r}>`).join(" ")}`,
        ]
      : []),
    `Date: ${new Date().toUTCString()}`,
    "",
    `Body of ${opts.subject}`,
    "",
  ].join("\r\n");
}

/**
 * Appends a three-message conversation through `client`: Bob's `subject` in INBOX, `me`'s
 * reply in Sent (read) and Bob's answer in INBOX, with Message-IDs `<key>1@x`, `<key>2@x`,
 * `<key>3@x`. `inboxFlags` go on both INBOX messages. Returns the reply's UID in Sent.
 */
export async function appendExchange(
  client: ImapFlow,
  me: string,
  opts: { subject: string; key: string; inboxFlags?: string[] },
): Promise<number> {
  const [first, reply, answer] = [1, 2, 3].map((n) => `${opts.key}${n}@x`) as [
    string,
    string,
    string,
  ];
  const bob = "bob@example.test";
  await client.append(
    "INBOX",
    threadMessage(me, { from: bob, subject: opts.subject, id: first }),
    opts.inboxFlags,
  );
  const sent = await client.append(
    "Sent",
    threadMessage(me, { from: me, subject: `Re: ${opts.subject}`, id: reply, refs: [first] }),
    ["\\Seen"],
  );
  await client.append(
    "INBOX",
    threadMessage(me, {
      from: bob,
      subject: `Re: ${opts.subject}`,
      id: answer,
      refs: [first, reply],
    }),
    opts.inboxFlags,
  );
  return sent ? (sent.uid ?? 0) : 0;
}
