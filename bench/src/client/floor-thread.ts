/**
 * The floors of the conversations figure: a bare imapflow client doing the IMAP work any client
 * must do to show conversations from the server's threading. imapflow has no THREAD API, so
 * `UID THREAD REFERENCES UTF-8 ALL` goes through its `exec()`, as the bridge's
 * threads/server-thread.ts does; only the top-level lists are read (one conversation each, its
 * UIDs in any nesting), which is all a list of conversations needs.
 */
import type { ImapFlow } from "imapflow";
import { hasExec } from "./exec";

function uidsOf(node: unknown, out: number[]): number[] {
  if (Array.isArray(node)) {
    for (const item of node) uidsOf(item, out);
    return out;
  }
  const n = Number((node as { value?: unknown } | null)?.value);
  if (Number.isInteger(n) && n > 0) out.push(n);
  return out;
}

/**
 * `UID THREAD REFERENCES UTF-8 ALL` on the selected mailbox: the conversations, each its UIDs
 * newest first, newest conversation first (where its newest message sits).
 */
export async function bareThreads(client: ImapFlow): Promise<number[][]> {
  if (!hasExec(client)) throw new Error("imapflow has no exec()");
  const atom = (value: string) => ({ type: "ATOM", value });
  const threads: number[][] = [];
  const response = await client.exec(
    "UID THREAD",
    [atom("REFERENCES"), atom("UTF-8"), atom("ALL")],
    {
      untagged: {
        THREAD: async (u) => {
          for (const list of u.attributes ?? []) {
            const uids = uidsOf(list, []).sort((a, b) => b - a);
            if (uids.length > 0) threads.push(uids);
          }
        },
      },
    },
  );
  response.next();
  return threads.sort((a, b) => (b[0] ?? 0) - (a[0] ?? 0));
}

/**
 * The floor of a sign-in to conversations: connect + login + SELECT INBOX + THREAD + FETCH the
 * envelopes of the newest messages of the 50 newest conversations. Returns milliseconds.
 */
export async function bareThreadSignIn(client: () => Promise<ImapFlow>): Promise<number> {
  const t0 = performance.now();
  const bare = await client();
  try {
    await bare.mailboxOpen("INBOX");
    const threads = await bareThreads(bare);
    const newest = threads.slice(0, 50).map((t) => t[0] as number);
    const rows = await bare.fetchAll(
      newest.join(","),
      { uid: true, flags: true, envelope: true },
      { uid: true },
    );
    if (rows.length === 0) throw new Error("the floor fetched no rows");
    return performance.now() - t0;
  } finally {
    await bare.logout().catch(() => bare.close());
  }
}
