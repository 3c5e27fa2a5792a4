/**
 * What conversation rows read of a folder's messages that never changes, kept per account in
 * this process (KeptRows), so that reading the same conversations again (the account's next
 * sign-in, a second device, the next window or push) FETCHes their flags only, not their
 * envelopes, structures, previews and References again: on a repeat sign-in those FETCHes and
 * their parsing were most of what its first window of conversations cost beyond a flat one.
 *
 * A message's row but its flags (subject, addresses, dates, size, attachment marker, preview,
 * Message-ID), its References and In-Reply-To ids, and what is read of an older message (sender,
 * subject, date, attachment marker) depend on the message alone, which IMAP never changes under
 * one UID while UIDVALIDITY stands: they are kept by account key (kept-orders.ts's
 * accountOfConnection), folder, UIDVALIDITY and UID. Flags change at any time: they are never
 * taken from here (conversation-rows.ts asks the server for them at every read). Nothing here
 * says whether a message still exists: a read asks the server for the UIDs it serves.
 * Bounded by MAX_KEPT_MESSAGES in all and MAX_FOLDER_MESSAGES per folder (the least recently
 * used folder, and within one the least recently read messages, forgotten first).
 */
import type { TAddress, TMessageRow } from "@ferry/protocol";
import { keyOf } from "./order-entry";

/** Messages kept in all (a row and its ids are about 1 KB: at most about 20 MB). */
export const MAX_KEPT_MESSAGES = 20_000;
/** Messages kept of one folder of one account: several windows of conversations. */
export const MAX_FOLDER_MESSAGES = 2_000;

/** A kept row (its flags as when it was read: never served) and the ids it references. */
export interface KeptRow {
  row: TMessageRow;
  refs: string[];
}

/** What is read of an older member of a conversation, but its flags. */
export interface KeptSender {
  uid: number;
  subject: string;
  from: TAddress[];
  date: string | null;
  hasAttachments: boolean;
}

interface Folder {
  uidValidity: number;
  rows: Map<number, KeptRow>;
  senders: Map<number, KeptSender>;
}

/** One read's view of a folder's kept messages (see KeptRows.folder). */
export interface FolderRows {
  row(uid: number): KeptRow | undefined;
  sender(uid: number): KeptSender | undefined;
  putRow(kept: KeptRow): void;
  putSender(kept: KeptSender): void;
}

export class KeptRows {
  private readonly folders = new Map<string, Folder>();
  private count = 0;

  constructor(
    private readonly maxMessages = MAX_KEPT_MESSAGES,
    private readonly maxFolder = MAX_FOLDER_MESSAGES,
  ) {}

  /** Messages kept in all. */
  get size(): number {
    return this.count;
  }

  /**
   * `account`'s kept messages of `path` at UIDVALIDITY `uidValidity` (those of another
   * UIDVALIDITY are forgotten).
   */
  folder(account: string, path: string, uidValidity: number): FolderRows {
    const key = `${account}\n${keyOf(path)}`;
    const get = (): Folder => {
      let f = this.folders.get(key);
      if (f && f.uidValidity !== uidValidity) {
        this.forget(key);
        f = undefined;
      }
      if (!f) {
        f = { uidValidity, rows: new Map(), senders: new Map() };
        this.folders.set(key, f);
      } else {
        this.folders.delete(key);
        this.folders.set(key, f);
      }
      return f;
    };
    const found = this.folders.get(key);
    const current = found && found.uidValidity === uidValidity ? found : undefined;
    return {
      row: (uid) => touch(current?.rows, uid),
      sender: (uid) => touch(current?.senders, uid),
      putRow: (kept) => {
        const f = get();
        this.put(key, f, f.rows, kept.row.uid, kept);
      },
      putSender: (kept) => {
        const f = get();
        this.put(key, f, f.senders, kept.uid, kept);
      },
    };
  }

  /** Forgets everything (tests: a read as on a fresh process). */
  clear(): void {
    this.folders.clear();
    this.count = 0;
  }

  private put<T>(key: string, f: Folder, map: Map<number, T>, uid: number, value: T): void {
    if (!map.delete(uid)) this.count++;
    map.set(uid, value);
    while (f.rows.size + f.senders.size > this.maxFolder) {
      const oldest = f.rows.size >= f.senders.size ? f.rows : f.senders;
      const first = oldest.keys().next();
      if (first.done) break;
      oldest.delete(first.value);
      this.count--;
    }
    for (const other of this.folders.keys()) {
      if (this.count <= this.maxMessages || other === key) break;
      this.forget(other);
    }
  }

  private forget(key: string): void {
    const f = this.folders.get(key);
    if (!f) return;
    this.folders.delete(key);
    this.count -= f.rows.size + f.senders.size;
  }
}

/** A kept entry, made the most recently read of its folder. */
function touch<T>(map: Map<number, T> | undefined, uid: number): T | undefined {
  const found = map?.get(uid);
  if (found === undefined || !map) return undefined;
  map.delete(uid);
  map.set(uid, found);
  return found;
}

/** The messages kept for the sessions of this process. */
export const keptRows = new KeptRows();
