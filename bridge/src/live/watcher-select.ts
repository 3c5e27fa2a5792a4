/**
 * The job that makes a watcher watch a mailbox on its connection (watchMailbox): a fresh SELECT
 * (EXAMINE when read-only); the adopt of a mailbox that work run() on the connection left
 * selected, with mail that came in during that work looked for at once; the mailbox already
 * watched asked again (NOOP); or selected again in the other mode and resynced. Runs as a job of
 * the watcher's chain (watcher.ts).
 */
import type { ImapFlow, MailboxObject } from "imapflow";
import { connectionLost } from "../imap/errors";
import { selectMailbox } from "./imap-ops";
import { type OpenedMailbox, opened, type Tracked } from "./tracked-mailbox";
import type { FlushHost } from "./watcher-flush";

/** What watchMailbox needs of its watcher, besides what a flush does. */
export interface WatchHost extends FlushHost {
  setTracked(t: Tracked | null): void;
  /** What is known right after a SELECT (see trackMailbox); without QRESYNC a resync follows. */
  track(client: ImapFlow, mb: MailboxObject, readOnly: boolean): Promise<Tracked>;
  /** The flush, run now (this job is on the chain). */
  flush(): Promise<void>;
  /** What the last SELECT/EXAMINE made while nothing was watched answered, or null. */
  selectedUnwatched(): { path: string; uidNext: number } | null;
}

/**
 * SELECTs (EXAMINEs when `readOnly`) `path` and watches it from now on (see
 * MailboxWatcher.watch). With `adopt`, a mailbox `path` that work run() on this connection left
 * selected is taken as it stands (mode included) instead of being selected again: what that work
 * read is then the point from which changes are reported, so none made after it is missed.
 */
export async function watchMailbox(
  host: WatchHost,
  path: string,
  readOnly: boolean,
  adopt: boolean,
): Promise<OpenedMailbox> {
  const { batch } = host;
  const client = host.connection();
  if (!client?.usable) throw connectionLost();
  const prev = host.tracked();
  const current = client.mailbox;
  if (prev && current && current.path === prev.path && prev.path === path) {
    if (prev.readOnly !== readOnly) return switchMode(host, client, prev, readOnly);
    // Already watching it in this mode: what the server has to announce is asked for and goes
    // out before the caller answers, so a window asked for after this is not older than it.
    await client.noop();
    await host.flush();
    const mb = client.mailbox;
    if (!mb || host.tracked() === null) throw connectionLost();
    return opened(mb, readOnly);
  }
  if (!prev && adopt && current && current.path === path) {
    // Mail that came in during that work (its EXISTS was not recorded) is looked for at once,
    // from the UIDNEXT its SELECT answered: imapflow raises its own with every UID any answer
    // carries, that of a message whose flags another client changed included, reported or not.
    batch.clear();
    const mode = current.readOnly === true;
    const t = await host.track(client, current, mode);
    const at = host.selectedUnwatched();
    if (at && at.path === t.path && at.uidNext > 0) t.uidNext = Math.min(t.uidNext, at.uidNext);
    host.setTracked(t);
    batch.newPending = true;
    host.scheduleFlush();
    return opened(current, mode);
  }
  host.setTracked(null);
  batch.clear();
  let mb: MailboxObject;
  try {
    mb = await selectMailbox(client, path, readOnly, null);
  } catch (err) {
    if (prev && client.usable) {
      host.setTracked(prev);
      prev.positionsValid = false;
      host.needResync();
    }
    throw err;
  }
  host.setTracked(await host.track(client, mb, readOnly));
  return opened(mb, readOnly);
}

/** The watched mailbox selected again in the other mode, and resynced. */
async function switchMode(
  host: WatchHost,
  client: ImapFlow,
  t: Tracked,
  readOnly: boolean,
): Promise<OpenedMailbox> {
  const before = t.readOnly;
  t.readOnly = readOnly;
  t.positionsValid = false;
  try {
    await host.resync(client, t, true);
  } catch (err) {
    t.readOnly = before;
    if (host.tracked() === t && client.usable) host.needResync();
    throw err;
  }
  // What the resync found goes out now (this job is on the chain), before the caller answers.
  await host.flush();
  const mb = client.mailbox;
  if (!mb || host.tracked() === null) throw connectionLost();
  return opened(mb, readOnly);
}
