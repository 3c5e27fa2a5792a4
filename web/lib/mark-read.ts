/**
 * Marking messages read as the reader shows them (`flags.update` adding \Seen, through
 * lib/actions setFlags). The marks made in one task go out together, one request per folder: a
 * conversation whose newest message and stacked unread ones show in the same render costs the
 * bridge one STORE, and the list one update, instead of one per message. A mark made by the
 * conversation stack also waits until the stacks' opens (lib/stack-opens.ts, background
 * read-ahead) are all in: the bridge answers foreground requests such as this one first, so sent
 * earlier it would be answered between those opens and hold back the messages still to show.
 */
import type { TMessageRef, TUidSet } from "@ferry/protocol";
import { SEEN, setFlags } from "./actions";
import { stackOpens } from "./stack-opens";

interface Mark {
  ref: TMessageRef;
  /** Sent once the stacks' opens are in. */
  afterOpens: boolean;
}

let pending: Mark[] = [];
let scheduled = false;
let waitingForOpens = false;

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(flush);
}

function flush(): void {
  scheduled = false;
  const opensIn = stackOpens.running === 0 && stackOpens.waiting === 0;
  const now = opensIn ? pending : pending.filter((m) => !m.afterOpens);
  pending = opensIn ? [] : pending.filter((m) => m.afterOpens);
  if (pending.length > 0 && !waitingForOpens) {
    waitingForOpens = true;
    stackOpens.onIdle(() => {
      waitingForOpens = false;
      schedule();
    });
  }
  const byFolder = new Map<string, TUidSet>();
  for (const { ref } of now) {
    const key = `${ref.mailbox}\u0000${ref.uidValidity}`;
    const set = byFolder.get(key) ?? {
      mailbox: ref.mailbox,
      uidValidity: ref.uidValidity,
      uids: [],
    };
    if (!set.uids.includes(ref.uid)) set.uids.push(ref.uid);
    byFolder.set(key, set);
  }
  for (const set of byFolder.values()) void setFlags(set, [SEEN], []);
}

/**
 * Marks `ref` read with the other marks of this task; `afterStackOpens` (the conversation
 * stack's): once the stacks' opens still queued or in flight are in.
 */
export function markRead(ref: TMessageRef, afterStackOpens = false): void {
  pending.push({ ref, afterOpens: afterStackOpens });
  schedule();
}
