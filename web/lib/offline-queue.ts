/**
 * What the user did while offline, kept until the bridge can hear it: flag changes, moves
 * (archive, delete, move, spam) and sends (the local Outbox). Each is a request frame stored in
 * its own IndexedDB database (`ferry-offline`, idb-keyval) under a key that sorts in the order
 * the actions were taken, so it survives a reload and is shared by every tab of the origin.
 *
 * On each connection the queue is replayed in order by one tab at a time (a Web Lock): an entry
 * is deleted before its request goes out, so another tab never sees it again. Messages are
 * named by mailbox + UIDVALIDITY + UID, and the bridge refuses a set whose UIDVALIDITY changed,
 * so a replay never touches another message; one that no longer applies (message or folder
 * gone, folder reset) is dropped with a notice. Flags and moves by UID are safe to send again
 * (a moved UID is no longer in its folder), so one cut off by a lost connection goes back in the
 * queue, at most `MAX_ATTEMPTS` times. A send is never repeated: if the connection drops while
 * it is being handed over, the message goes back to the composer for the user to decide.
 *
 * Attachments: a message's attachments are the uploads the bridge already holds, plus the files
 * attached while offline, kept on this device (lib/compose/offline-files) and named in `files`.
 * Those are uploaded first, still under the lock and with the entry still in the queue (an
 * upload cut off is tried again on the next connection); the entry is then rewritten to name the
 * uploads, and only then taken out and sent, so the message goes out once.
 *
 * Drafts written offline live in the same store under `draft:<localId>` (one entry per draft,
 * rewritten by each autosave); they are not replayed here but by lib/compose/local-drafts.
 */
import type { TComposeDraftInput, TRequestOf, TUidRef } from "@ferry/protocol";
import { clear, del, entries, set, type UseStore } from "idb-keyval";
import { useSyncExternalStore } from "react";
import type { KeptFileRef } from "./compose/offline-files";
import { FerryError } from "./errors";
import { closingStore } from "./idb-store";

export type QueuedRequest =
  | TRequestOf<"flags.update">
  | TRequestOf<"messages.archive">
  | TRequestOf<"messages.delete">
  | TRequestOf<"messages.move">
  | TRequestOf<"messages.spam">;

export interface QueuedSend {
  type: "compose.send";
  draft: TRequestOf<"compose.send">["draft"];
  delaySeconds: number;
  draftUid: TUidRef | null;
  draftMailbox: string | null;
  /** Files attached offline, kept on this device, to upload before the message is sent. */
  files?: KeptFileRef[];
}

/** A draft autosaved while offline, to be saved to Drafts on the next connection. */
export interface QueuedDraft {
  type: "draft.save";
  localId: string;
  draft: TComposeDraftInput;
  /** The copy in Drafts it was edited from, replaced when it is saved. */
  replaceUid: TUidRef | null;
  draftMailbox: string | null;
  savedAt: number;
  /** The bytes of the inline images the draft shows, by upload id, for the editor to show. */
  images?: Record<string, Blob>;
}

export type QueuedOp = (QueuedRequest | QueuedSend) & { attempts?: number };

/** The store key of the local draft `localId` (sorts after every queued action). */
export function draftKey(localId: string): string {
  return `draft:${localId}`;
}

/** The local draft an entry holds, if it is one. */
export function asDraft(value: unknown): QueuedDraft | null {
  return typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "draft.save"
    ? (value as QueuedDraft)
    : null;
}

/** Where the queue lives: an IndexedDB store in production, a Map in unit tests. */
export interface QueueStore {
  all(): Promise<Array<[string, QueuedOp | QueuedDraft]>>;
  put(key: string, op: QueuedOp | QueuedDraft): Promise<void>;
  remove(key: string): Promise<void>;
}

export const OFFLINE_DATABASE = "ferry-offline";
/** How often an entry cut off by a lost connection is tried before it is given up. */
export const MAX_ATTEMPTS = 5;

/** Why an entry left the queue without being applied. */
export type Dropped =
  | { op: QueuedOp; reason: "refused"; error: unknown }
  | { op: QueuedOp; reason: "attempts" }
  | { op: QueuedSend; reason: "interrupted" };

export interface ReplayHooks {
  /** Sends one entry; rejects with a FerryError when the bridge refuses it. */
  apply(op: QueuedOp): Promise<void>;
  /**
   * Uploads a message's kept files and returns it naming the uploads instead (no `files`);
   * rejects like `apply`.
   */
  upload?(op: QueuedSend): Promise<QueuedSend>;
  /** The kept files of `op` are uploaded and named by the stored entry: they may go. */
  uploaded?(op: QueuedSend): Promise<void>;
  dropped(d: Dropped): void;
  /** The connection can carry requests now. */
  online(): boolean;
}

/** The request was cut off by the network, not refused by the bridge. */
export function isConnectionLoss(err: unknown): boolean {
  return (
    err instanceof FerryError &&
    (err.code === "connection_lost" || err.code === "timeout" || err.code === "network")
  );
}

/**
 * Replays `store` in key order until it is empty or the connection drops. Returns how many
 * entries were applied. The caller holds the queue's lock.
 */
export async function replayQueue(store: QueueStore, hooks: ReplayHooks): Promise<number> {
  let applied = 0;
  const list = (await store.all())
    .filter((e): e is [string, QueuedOp] => asDraft(e[1]) === null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, listed] of list) {
    if (!hooks.online()) break;
    let op: QueuedOp = listed;
    if (listed.type === "compose.send" && listed.files?.length && hooks.upload) {
      let sendable: QueuedSend;
      try {
        sendable = await hooks.upload(listed);
      } catch (err) {
        if (!isConnectionLoss(err)) {
          await store.remove(key);
          hooks.dropped({ op: listed, reason: "refused", error: err });
          continue;
        }
        const attempts = (listed.attempts ?? 0) + 1;
        if (attempts >= MAX_ATTEMPTS) {
          await store.remove(key);
          hooks.dropped({ op: listed, reason: "attempts" });
        } else await store.put(key, { ...listed, attempts });
        break;
      }
      await store.put(key, sendable);
      await hooks.uploaded?.(listed);
      op = sendable;
    }
    await store.remove(key);
    try {
      await hooks.apply(op);
      applied++;
    } catch (err) {
      if (!isConnectionLoss(err)) {
        hooks.dropped({ op, reason: "refused", error: err });
        continue;
      }
      if (op.type === "compose.send") {
        hooks.dropped({ op, reason: "interrupted" });
        break;
      }
      const attempts = (op.attempts ?? 0) + 1;
      if (attempts >= MAX_ATTEMPTS) hooks.dropped({ op, reason: "attempts" });
      else await store.put(key, { ...op, attempts });
      break;
    }
  }
  return applied;
}

// ---- the IndexedDB queue ---------------------------------------------------------------------

/**
 * The queue's store, opened when first needed. Its connection closes itself when another wants
 * the database gone (sign-out deletes it), so that deletion never waits on this page.
 */
const idbStore: UseStore = closingStore(OFFLINE_DATABASE, "queue");

function database(): UseStore | null {
  return typeof indexedDB === "undefined" ? null : idbStore;
}

export const offlineStore: QueueStore = {
  async all() {
    const db = database();
    return db ? entries<string, QueuedOp | QueuedDraft>(db) : [];
  },
  async put(key, op) {
    const db = database();
    if (db) await set(key, op, db);
    changed();
  },
  async remove(key) {
    const db = database();
    if (db) await del(key, db);
    changed();
  },
};

let counter = 0;
/** A key that sorts after every key made before it, in any tab. */
function nextKey(): string {
  counter++;
  return `${Date.now().toString().padStart(15, "0")}-${counter.toString().padStart(6, "0")}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Keeps `op` to be sent on the next connection. */
export async function enqueue(op: QueuedOp): Promise<void> {
  await offlineStore.put(nextKey(), op);
}

/** Empties the queue (a session ended: nothing of it may reach the next account). */
export async function clearOfflineQueue(): Promise<void> {
  const db = database();
  if (!db) return;
  await clear(db).catch(() => undefined);
  changed();
}

/** Runs `fn` while holding the queue's lock, so that one tab replays at a time. */
export async function withQueueLock<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request("ferry.offline-queue", fn);
  }
  return fn();
}

// ---- what the page shows ---------------------------------------------------------------------

/** A draft kept on this device, as the folder pane lists it. */
export interface LocalDraftSummary {
  localId: string;
  subject: string;
  savedAt: number;
}

export interface QueueSummary {
  /** Actions on mail waiting (not sends). */
  actions: number;
  /** Messages waiting in the Outbox. */
  sends: number;
  /** Drafts written offline, not yet saved to Drafts, newest first. */
  drafts: LocalDraftSummary[];
}

let summary: QueueSummary = { actions: 0, sends: 0, drafts: [] };
const listeners = new Set<() => void>();
let channel: BroadcastChannel | null = null;

async function refresh(): Promise<void> {
  const list = await offlineStore.all().catch(() => []);
  const drafts = list
    .flatMap(([, op]) => {
      const d = asDraft(op);
      return d ? [{ localId: d.localId, subject: d.draft.subject ?? "", savedAt: d.savedAt }] : [];
    })
    .sort((a, b) => b.savedAt - a.savedAt);
  const sends = list.filter(([, op]) => op.type === "compose.send").length;
  const next = { actions: list.length - sends - drafts.length, sends, drafts };
  if (JSON.stringify(next) === JSON.stringify(summary)) return;
  summary = next;
  for (const l of listeners) l();
}

function changed(): void {
  void refresh();
  channel?.postMessage("changed");
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (!channel && typeof BroadcastChannel !== "undefined") {
    channel = new BroadcastChannel("ferry.offline-queue");
    channel.onmessage = () => void refresh();
  }
  void refresh();
  return () => listeners.delete(l);
}

/** The queue as it was last read (the sign-out dialog asks without rendering). */
export async function readQueueSummary(): Promise<QueueSummary> {
  await refresh();
  return summary;
}

/** How many actions and sends wait in the queue (all tabs), kept current. */
export function useQueueSummary(): QueueSummary {
  return useSyncExternalStore(
    subscribe,
    () => summary,
    () => summary,
  );
}
