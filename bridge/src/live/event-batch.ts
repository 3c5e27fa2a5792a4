/**
 * What a watcher's connection announced and has not been reported yet (EventBatch): its
 * handlers record EXISTS, EXPUNGE/VANISHED and unsolicited FETCH FLAGS here synchronously, in
 * server order, mapping sequence numbers to UIDs where the connection has no QRESYNC; the next
 * flush turns the batch into `messages.expunged` and `messages.flags` frames (new mail is fetched
 * apart: new-mail.ts). Each EXISTS, EXPUNGE or VANISHED recorded also moves the count the watcher
 * accounts for (Tracked.exists). Nothing here talks to the server.
 */
import type { TEventRevision, TServerFrame } from "@ferry/protocol";
import type { ExistsEvent, ExpungeEvent, FlagsEvent } from "imapflow";
import { wireFlags } from "../imap/flags";
import type { Tracked } from "./tracked-mailbox";

export class EventBatch {
  /** EXISTS announced mail not reported yet. */
  newPending = false;
  expunged: number[] = [];
  flagChanges = new Map<number, string[]>();
  /** What is recorded may not match the server: the next flush resyncs first. */
  resyncNeeded = false;
  /** A flag change could not be mapped to a UID: t.modseq must not move past it. */
  modseqLost = false;
  /** New rows are being fetched: a flag change of a message without a UID yet is kept. */
  fetchingNew = false;
  expungeEpoch = 0;
  existsEpoch = 0;
  /** performance.now() of the first EXISTS not yet reported, for the latency log. */
  existsAt = 0;
  /** Resyncs in a row that did not make the batch match the server. */
  resyncStreak = 0;

  /** Everything recorded is dropped (a new SELECT, a reset, a close). */
  clear(): void {
    this.newPending = false;
    this.expunged = [];
    this.flagChanges.clear();
    this.resyncNeeded = false;
    this.modseqLost = false;
    this.existsAt = 0;
    this.resyncStreak = 0;
  }

  /**
   * The handlers below record an announcement about `t`'s mailbox. Each returns true when a
   * flush should follow (with `resyncNeeded` set when it must resync first).
   */
  recordExists(t: Tracked, ev: ExistsEvent): boolean {
    this.existsEpoch++;
    t.exists = ev.count;
    if (ev.count > ev.prevCount) {
      t.uids?.addPending(ev.count - ev.prevCount);
      this.newPending = true;
      if (this.existsAt === 0) this.existsAt = performance.now();
    } else if (t.uids) {
      this.resyncNeeded = true;
    }
    return true;
  }

  recordExpunge(t: Tracked, ev: ExpungeEvent): boolean {
    this.expungeEpoch++;
    // VANISHED (EARLIER) reports what was gone before; only the others lower the count.
    if (!ev.earlier) t.exists = Math.max(0, t.exists - 1);
    let uid = ev.uid;
    if (t.uids) {
      if (uid !== undefined) {
        t.uids.removeUid(uid);
      } else if (ev.seq !== undefined && t.positionsValid) {
        const removed = t.uids.removeAt(ev.seq - 1);
        if (removed === undefined) {
          this.resyncNeeded = true;
          return true;
        }
        // 0: a message announced by EXISTS whose UID was never fetched, so never reported.
        if (removed !== 0) uid = removed;
      } else {
        this.resyncNeeded = true;
        return true;
      }
    } else if (uid === undefined) {
      this.resyncNeeded = true;
      return true;
    }
    if (uid !== undefined) this.expunged.push(uid);
    return true;
  }

  recordFlags(t: Tracked, ev: FlagsEvent): boolean {
    let uid = ev.uid;
    if (uid === undefined && t.uids && t.positionsValid) {
      const at = t.uids.at(ev.seq - 1);
      if (at === 0 && !this.fetchingNew) return false; // a new message: its row will carry its flags
      if (at !== undefined && at !== 0) uid = at;
    }
    if (uid === undefined) {
      this.modseqLost = true;
      this.resyncNeeded = true;
      return true;
    }
    this.flagChanges.set(uid, wireFlags(ev.flags));
    if (
      ev.modseq !== undefined &&
      !this.modseqLost &&
      (t.modseq === null || ev.modseq > t.modseq)
    ) {
      t.modseq = ev.modseq;
    }
    return true;
  }

  /**
   * Emits the recorded expunges and flag changes of `t`'s mailbox (in that order, each frame
   * with the revision `revision()` gives it) and empties them.
   */
  emitChanges(
    t: Tracked,
    total: number,
    revision: () => TEventRevision,
    emit: (frame: TServerFrame) => void,
  ): void {
    if (this.expunged.length > 0) {
      const uids = [...new Set(this.expunged)];
      this.expunged = [];
      emit({
        type: "messages.expunged",
        mailbox: t.path,
        uidValidity: t.uidValidity,
        total,
        uids,
        rev: revision(),
      });
    }
    if (this.flagChanges.size > 0) {
      const changes = [...this.flagChanges].map(([uid, flags]) => ({ uid, flags }));
      this.flagChanges.clear();
      emit({
        type: "messages.flags",
        mailbox: t.path,
        uidValidity: t.uidValidity,
        changes,
        rev: revision(),
      });
    }
  }
}
