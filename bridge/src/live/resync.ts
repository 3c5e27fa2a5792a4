/**
 * Bringing what a watcher knows about its mailbox (Tracked) back in line with the server, after
 * a reconnect, a mode switch, or an announcement it could not map. The differences found are
 * recorded in the watcher's EventBatch and go out with its next flush, the same events as live.
 * With QRESYNC the re-SELECT itself brings them (VANISHED (EARLIER), FETCH FLAGS); otherwise UID
 * SEARCH ALL is diffed against the UID list and FLAGS (CHANGEDSINCE modseq) fetched where
 * CONDSTORE is on. When neither can say what changed, the caller is told to reset the mailbox.
 * The count the watcher accounts for (Tracked.exists) becomes the one the server answered.
 */
import type { ImapFlow, MailboxObject } from "imapflow";
import { wireFlags } from "../imap/flags";
import type { EventBatch } from "./event-batch";
import { allUids, selectMailbox } from "./imap-ops";
import type { Tracked } from "./tracked-mailbox";

/** What resyncMailbox needs of its watcher. */
export interface ResyncContext {
  readonly batch: EventBatch;
  /** Another resync must follow (something changed while this one ran). */
  needResync(): void;
}

/** The mailbox must start over (mailbox.reset), from this SELECT answer or a new one (null). */
export interface ResetNeeded {
  from: MailboxObject | null;
}

/**
 * Brings `t` in line with the server and records the differences as pending events. With
 * `reselect` (a new connection) the mailbox is selected first. Resolves with ResetNeeded when
 * the changes cannot be listed (UIDVALIDITY changed, or no way to know the flags that changed).
 */
export async function resyncMailbox(
  client: ImapFlow,
  t: Tracked,
  reselect: boolean,
  ctx: ResyncContext,
): Promise<ResetNeeded | null> {
  const qresync = client.enabled.has("QRESYNC") && t.modseq !== null;
  const selected = client.mailbox && client.mailbox.path === t.path;
  if (reselect || !selected || (qresync && !t.uids)) {
    // With QRESYNC the server answers the SELECT with VANISHED (EARLIER) and FETCH FLAGS for
    // everything changed since t.modseq; imapflow emits those as events, recorded as usual.
    const mb = await selectMailbox(client, t.path, t.readOnly, qresync ? t : null);
    if (Number(mb.uidValidity) !== t.uidValidity) return { from: mb };
    t.exists = mb.exists;
    if (qresync && "qresync" in mb && mb.qresync === true) {
      t.uids = null;
      t.positionsValid = true;
      t.modseq = mb.highestModseq ?? t.modseq;
      ctx.batch.modseqLost = false;
      ctx.batch.newPending = true;
      return null;
    }
  }
  if (!t.uids) return { from: client.mailbox || null };
  return diffUids(client, t, reselect, ctx);
}

/**
 * The resync without QRESYNC: UID SEARCH ALL against the list, FLAGS CHANGEDSINCE. Without
 * CONDSTORE, flag changes the connection did not see (`reconnected`, or one it could not map)
 * cannot be listed, and the browser is sent mailbox.reset to refetch instead.
 */
async function diffUids(
  client: ImapFlow,
  t: Tracked,
  reconnected: boolean,
  ctx: ResyncContext,
): Promise<ResetNeeded | null> {
  const { batch } = ctx;
  const old = t.uids;
  if (!old) return null;
  t.positionsValid = false;
  const epoch = batch.expungeEpoch;
  const existsEpoch = batch.existsEpoch;
  const mb = client.mailbox;
  const condstore = client.enabled.has("CONDSTORE") && mb && !mb.noModseq && t.modseq !== null;
  const all = await allUids(client);
  for (const uid of old.missingFrom(all)) batch.expunged.push(uid);
  if (all.last >= t.uidNext) batch.newPending = true;
  t.uids = all;
  t.positionsValid = true;
  if (epoch !== batch.expungeEpoch || existsEpoch !== batch.existsEpoch) ctx.needResync();
  else t.exists = all.length;
  if (condstore && t.modseq !== null) {
    const since = t.modseq;
    const changed = await client.fetchAll(
      "1:*",
      { uid: true, flags: true },
      { changedSince: since },
    );
    let max = since;
    for (const msg of changed) {
      if (msg.uid < t.uidNext) batch.flagChanges.set(msg.uid, wireFlags(msg.flags));
      if (msg.modseq !== undefined && msg.modseq > max) max = msg.modseq;
    }
    t.modseq = max;
    batch.modseqLost = false;
  } else if (reconnected || batch.modseqLost) {
    return { from: client.mailbox || null };
  }
  return null;
}
