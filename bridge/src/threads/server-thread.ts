/**
 * Threading by the server: `UID THREAD REFERENCES UTF-8 ALL` (RFC 5256) where the server
 * offers THREAD=REFERENCES (Dovecot does), else the same algorithm run here (references.ts) over
 * each message's envelope and References header. Either way the answer is a forest of
 * ThreadNodes, one tree per conversation.
 *
 * Command. imapflow 2.10 has no THREAD API, so the command goes through its `exec()`, as
 * UID SORT does in imap/sort.ts, and the untagged `THREAD` answer is read from imapflow's parsed
 * attributes: each top-level parenthesized list is one conversation, `(3 6 (4 23)(44 7 96))`
 * being 3 → 6 whose replies are 4 → 23 and 44 → 7 → 96, and a list that starts with a list is a
 * conversation whose root message is not in the mailbox. The answer has one token per message,
 * so it stays under imapflow's token cap up to about 250,000 messages; past MAX_THREADED UIDs
 * the rest is dropped.
 *
 * Fallback. Without THREAD=REFERENCES the bridge FETCHes ENVELOPE and the References header of
 * every message in one command and threads them itself: this is O(mailbox), as the server's
 * command is, and is meant to be cached by the caller. Both take a first UID, to thread only the
 * newest messages (a large folder's head, order.ts).
 */
import type { ImapFlow } from "imapflow";
import { commandError, connectionLost } from "../imap/errors";
import { execCommand, preCheck, type RawAttribute } from "../imap/exec";
import { type ThreadInput, type ThreadNode, threadByReferences } from "./references";

/** Most UIDs one THREAD answer may hold (a hostile server could send any number). */
const MAX_THREADED = 4_000_000;

/** Whether the server threads by references itself. */
export function canServerThread(client: ImapFlow): boolean {
  return client.capabilities.has("THREAD=REFERENCES");
}

/**
 * The conversations of the mailbox selected on `client` (under its lock): the server's
 * THREAD=REFERENCES where offered, else the bridge's own. With `fromUid`, only the messages from
 * that UID on are threaded (`UID THREAD REFERENCES UTF-8 UID <fromUid>:*`): the folder's newest.
 */
export async function threadMailbox(client: ImapFlow, fromUid?: number): Promise<ThreadNode[]> {
  if (!client.mailbox) throw connectionLost();
  if (client.mailbox.exists === 0) return [];
  return canServerThread(client) ? serverThreads(client, fromUid) : clientThreads(client, fromUid);
}

/** One `UID THREAD REFERENCES UTF-8 ALL` (or `UID <fromUid>:*`). Must run under the mailbox lock. */
export async function serverThreads(client: ImapFlow, fromUid?: number): Promise<ThreadNode[]> {
  await preCheck(client);
  const threads: ThreadNode[] = [];
  const budget = { left: MAX_THREADED };
  try {
    await execCommand(
      client,
      "UID THREAD",
      [
        { type: "ATOM", value: "REFERENCES" },
        { type: "ATOM", value: "UTF-8" },
        ...(fromUid === undefined
          ? [{ type: "ATOM", value: "ALL" }]
          : [
              { type: "ATOM", value: "UID" },
              { type: "SEQUENCE", value: `${Math.max(1, Math.floor(fromUid))}:*` },
            ]),
      ],
      {
        THREAD: async (untagged) => {
          for (const list of untagged.attributes ?? []) {
            if (!Array.isArray(list)) continue;
            const node = parseThread(list, budget, 0);
            if (node) threads.push(node);
          }
        },
      },
    );
  } catch (err) {
    throw commandError(err, "The mail server could not group this folder into conversations.");
  }
  return threads;
}

/** Deepest nesting of lists read from a THREAD answer. */
const MAX_DEPTH = 1_000;

/** One parenthesized thread of a THREAD answer; null when it holds no UID. */
export function parseThread(
  list: readonly unknown[],
  budget: { left: number } = { left: MAX_THREADED },
  depth = 0,
): ThreadNode | null {
  if (depth > MAX_DEPTH) return null;
  const chain: ThreadNode[] = [];
  const subs: ThreadNode[] = [];
  for (const item of list) {
    if (Array.isArray(item)) {
      const sub = parseThread(item, budget, depth + 1);
      if (sub) subs.push(sub);
      continue;
    }
    if (subs.length > 0 || budget.left <= 0) continue;
    const n = Number((item as RawAttribute | null)?.value);
    if (!Number.isInteger(n) || n < 1 || n > 0xffff_ffff) continue;
    budget.left--;
    chain.push({ uid: n, children: [] });
  }
  for (let i = 1; i < chain.length; i++) chain[i - 1]?.children.push(chain[i] as ThreadNode);
  const last = chain[chain.length - 1];
  if (last) {
    last.children.push(...subs);
    return chain[0] ?? null;
  }
  if (subs.length === 0) return null;
  if (subs.length === 1) return subs[0] ?? null;
  return { uid: null, children: subs };
}

/** The bridge's own threading of the selected mailbox (no THREAD on the server). */
export async function clientThreads(client: ImapFlow, fromUid?: number): Promise<ThreadNode[]> {
  const inputs: ThreadInput[] = [];
  try {
    for await (const m of client.fetch(
      fromUid === undefined ? "1:*" : `${Math.max(1, Math.floor(fromUid))}:*`,
      { uid: true, envelope: true, headers: ["references"] },
      { uid: fromUid !== undefined },
    )) {
      if (fromUid !== undefined && m.uid < fromUid) continue;
      inputs.push({
        uid: m.uid,
        messageId: m.envelope?.messageId ?? null,
        inReplyTo: m.envelope?.inReplyTo ?? null,
        references: referencesOf(m.headers),
        subject: m.envelope?.subject ?? null,
        date: m.envelope?.date ? new Date(m.envelope.date).getTime() : null,
      });
    }
  } catch (err) {
    throw commandError(err, "The mail server could not group this folder into conversations.");
  }
  return threadByReferences(inputs);
}

/** The References value of a fetched header block (unfolded). */
export function referencesOf(headers: Buffer | undefined): string | null {
  if (!headers) return null;
  const text = headers.toString("latin1").replace(/\r?\n[ \t]+/g, " ");
  const m = /^references:(.*)$/im.exec(text);
  return m?.[1]?.trim() ?? null;
}
