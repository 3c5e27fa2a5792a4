/**
 * A watcher's flush (flushWatcher): what its connection announced, as recorded in its EventBatch,
 * becomes events: a resync first where what it knows may not match the server, then expunges and
 * flag changes, new mail (new-mail.ts), and the mailbox's counts (`mailbox.status`). And the
 * check a watcher makes before it IDLEs again (lookForUnreported): mail the connection's view of
 * the mailbox holds but the watcher never reported (its EXISTS was taken in by some other answer)
 * is looked for at once, so no arrival waits for a later resync.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import type { Logger } from "pino";
import type { EventBatch } from "./event-batch";
import { fetchNewMail, type NewMailContext } from "./new-mail";
import { currentTotal, nextRevision, type Tracked, unaccounted } from "./tracked-mailbox";

/** A resync that keeps failing to match the server gives up and sends mailbox.reset instead. */
const MAX_RESYNC_STREAK = 3;

/** What a flush needs of its watcher. */
export interface FlushHost {
  readonly role: "inbox" | "open";
  readonly batch: EventBatch;
  readonly newMail: NewMailContext;
  readonly log: Logger;
  /** The connection, or null while it is down. */
  connection(): ImapFlow | null;
  /** What is known about the watched mailbox, or null when nothing is watched. */
  tracked(): Tracked | null;
  resync(client: ImapFlow, t: Tracked, reselect: boolean): Promise<void>;
  reset(client: ImapFlow, t: Tracked, mb: MailboxObject | null): Promise<void>;
  needResync(): void;
  scheduleFlush(): void;
  emit(frame: TServerFrame): void;
  /** Current counts of the watched mailbox `t` (dropped when the watcher closed or moved on). */
  status(t: Tracked, messages: number, unseen: number): void;
}

/** Sends what the batch holds (see the module header). Never rejects. */
export async function flushWatcher(host: FlushHost): Promise<void> {
  const { batch } = host;
  const client = host.connection();
  const start = host.tracked();
  if (!client?.usable || !start) return;
  try {
    if (batch.resyncNeeded) {
      batch.resyncNeeded = false;
      if (++batch.resyncStreak > MAX_RESYNC_STREAK) await host.reset(client, start, null);
      else await host.resync(client, start, false);
    }
    const t = host.tracked();
    if (!t) return;
    batch.emitChanges(
      t,
      currentTotal(client, t),
      () => nextRevision(client, t),
      (frame) => host.emit(frame),
    );
    if (batch.newPending) {
      batch.newPending = false;
      await newMail(client, t, host);
    }
    if (t.uids && t.positionsValid && client.mailbox && t.uids.length !== client.mailbox.exists) {
      host.needResync();
    }
    if (!batch.resyncNeeded) batch.resyncStreak = 0;
  } catch (err) {
    if (!client.usable || client !== host.connection()) return; // the close handler takes over
    host.log.warn({ err, role: host.role, mailbox: start.path }, "live: flush failed");
    // Resync from the server rather than guess; but a server that keeps refusing is left
    // alone until its next announcement instead of being asked again in a loop.
    if (batch.resyncStreak <= MAX_RESYNC_STREAK) host.needResync();
    return;
  }
  const t = host.tracked();
  if (!t) return;
  try {
    await reportStatus(client, t, host);
  } catch (err) {
    host.log.debug({ err, role: host.role }, "live: counting unseen failed");
  }
}

/**
 * Reports the new mail of `t`'s mailbox (fetchNewMail). Whatever the connection's view held when
 * it asked is then accounted for: the answer had every message from t.uidNext on, so t.uidNext
 * moves past the UIDNEXT that view knew and t.exists takes its count (unless an EXISTS or EXPUNGE
 * recorded meanwhile moved it already).
 */
async function newMail(client: ImapFlow, t: Tracked, host: FlushHost): Promise<void> {
  const { batch } = host;
  const view = client.mailbox
    ? { exists: client.mailbox.exists, uidNext: client.mailbox.uidNext }
    : null;
  const epochs = [batch.existsEpoch, batch.expungeEpoch];
  await fetchNewMail(client, t, host.newMail);
  if (!view || host.tracked() !== t) return;
  if (view.uidNext > t.uidNext) t.uidNext = view.uidNext;
  if (epochs[0] === batch.existsEpoch && epochs[1] === batch.expungeEpoch) t.exists = view.exists;
}

/**
 * Before the watcher IDLEs again: when the connection's view of the mailbox holds mail the
 * watcher has not reported (unaccounted), a flush that looks for it is scheduled and true
 * returned (the watcher IDLEs after it).
 */
export function lookForUnreported(host: FlushHost): boolean {
  const client = host.connection();
  const t = host.tracked();
  if (!client?.usable || !t) return false;
  const missing = unaccounted(client, t);
  if (missing === null) return false;
  host.log.info(
    { role: host.role, mailbox: t.path, missing, exists: t.exists, uidNext: t.uidNext },
    "live: the connection holds mail the watcher was not told about; looking for it",
  );
  // Without QRESYNC the UID list needs the new positions too: a resync finds both.
  if (t.uids && missing === "count") host.needResync();
  else {
    host.batch.newPending = true;
    host.scheduleFlush();
  }
  return true;
}

/** mailbox.status for the watched mailbox: the count imapflow keeps, plus SEARCH UNSEEN. */
async function reportStatus(client: ImapFlow, t: Tracked, host: FlushHost): Promise<void> {
  if (!client.mailbox) return;
  const answer = await client.search({ seen: false }, { returnOptions: ["COUNT"] });
  let unseen: number;
  if (Array.isArray(answer)) unseen = answer.length;
  else if (answer && typeof answer === "object") unseen = answer.count ?? 0;
  else return;
  if (!client.mailbox) return;
  host.status(t, client.mailbox.exists, unseen);
}
