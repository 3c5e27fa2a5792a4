/**
 * New mail in a watched mailbox: messages with UIDs at or above what was reported are found and
 * their rows built by one UID FETCH `uidNext:*` (one round trip per announcement, which counts
 * when a delivery to everyone wakes a thousand sessions at once), then pushed as `messages.new`.
 * Runs as a job of the watcher's connection (watcher.ts).
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import type { EventBatch } from "./event-batch";
import type { RowsFetcher, UidSelection } from "./rows";
import { currentTotal, nextRevision, type Tracked } from "./tracked-mailbox";

/** What fetchNewMail needs of its watcher. */
export interface NewMailContext {
  readonly batch: EventBatch;
  readonly rowsFetcher: RowsFetcher;
  readonly log: Logger;
  /** `t` is still what the watcher tracks (no reset or new SELECT since). */
  isTracked(t: Tracked): boolean;
  scheduleFlush(): void;
  needResync(): void;
  emit(frame: TServerFrame): void;
}

/** Reports the messages of `t`'s mailbox with UIDs ≥ t.uidNext and moves t.uidNext past them. */
export async function fetchNewMail(
  client: ImapFlow,
  t: Tracked,
  ctx: NewMailContext,
): Promise<void> {
  const { batch } = ctx;
  const from = t.uidNext;
  const existsAt = batch.existsAt;
  batch.existsAt = 0;
  const expungeEpoch = batch.expungeEpoch;
  const existsEpoch = batch.existsEpoch;
  batch.fetchingNew = true;
  try {
    const rows = await buildRows(client, t, { from }, ctx);
    const uids = rows.map((r) => r.uid).sort((a, b) => a - b);
    if (t.uids) {
      const list = t.uids;
      const fresh = uids.filter((uid) => uid > list.last);
      const fits = expungeEpoch === batch.expungeEpoch && list.fill(fresh);
      // Pending left over with no EXISTS since the fetch: the numbering drifted.
      if (!fits || (list.pending > 0 && existsEpoch === batch.existsEpoch)) ctx.needResync();
    }
    const last = uids[uids.length - 1];
    if (last === undefined) return;
    t.uidNext = Math.max(t.uidNext, last + 1);
    ctx.emit({
      type: "messages.new",
      mailbox: t.path,
      uidValidity: t.uidValidity,
      total: currentTotal(client, t),
      rows,
      rev: nextRevision(client, t),
    });
    ctx.log.debug(
      {
        mailbox: t.path,
        rows: rows.length,
        existsToEventMs: existsAt ? Math.round((performance.now() - existsAt) * 10) / 10 : null,
      },
      "live: messages.new",
    );
  } finally {
    batch.fetchingNew = false;
  }
}

/**
 * Rows of the new messages. Flag changes the server announced while answering (they come
 * inside the FETCH's answer, not as events) join the batch for the next flush.
 */
function buildRows(client: ImapFlow, t: Tracked, uids: UidSelection, ctx: NewMailContext) {
  return ctx.rowsFetcher(client, t.path, uids, (changes) => {
    if (!ctx.isTracked(t)) return;
    for (const [uid, flags] of changes) if (uid < t.uidNext) ctx.batch.flagChanges.set(uid, flags);
    ctx.scheduleFlush();
  });
}
