/**
 * Drafts kept on this device. A composer's autosave that cannot reach the bridge (offline) writes
 * the draft to the offline queue's IndexedDB store (lib/offline-queue, key `draft:<localId>`), so
 * it outlives a reload and can be reopened from the folder pane. On the next connection each one
 * is saved to Drafts once, in place of the copy it was edited from. A draft open in a composer is
 * held by it (a Web Lock named after the draft) and saved by that composer; the others by the tab
 * that takes the lock first, which reads the entry again under the lock and deletes it once saved,
 * so two tabs never both save it.
 */
import {
  type TComposeDraft,
  type TComposeDraftInput,
  type TMessageRef,
  ZComposeAddress,
  ZComposeDraft,
} from "@ferry/protocol";
import {
  asDraft,
  draftKey,
  isConnectionLoss,
  offlineStore,
  type QueuedDraft,
  type QueueStore,
} from "../offline-queue";

/** A fresh id for a draft about to be kept on this device. */
export function newLocalId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export async function readLocalDraft(
  localId: string,
  store: QueueStore = offlineStore,
): Promise<QueuedDraft | null> {
  const key = draftKey(localId);
  return asDraft((await store.all()).find(([k]) => k === key)?.[1]);
}

export async function putLocalDraft(
  draft: QueuedDraft,
  store: QueueStore = offlineStore,
): Promise<void> {
  await store.put(draftKey(draft.localId), draft);
}

export async function removeLocalDraft(
  localId: string,
  store: QueueStore = offlineStore,
): Promise<void> {
  await store.remove(draftKey(localId));
}

/** Runs `fn` only if the draft's lock is free now (nobody edits or saves it); else skipped. */
export interface DraftLocks {
  tryHold(localId: string, fn: () => Promise<void>): Promise<void>;
}

function lockName(localId: string): string {
  return `ferry.local-draft.${localId}`;
}

export const webDraftLocks: DraftLocks = {
  async tryHold(localId, fn) {
    if (typeof navigator === "undefined" || !navigator.locks) return fn();
    await navigator.locks.request(lockName(localId), { ifAvailable: true }, (lock) =>
      lock ? fn() : undefined,
    );
  },
};

/** A composer's hold on its local draft, from `acquired` until `release()`. */
export interface DraftHold {
  acquired: Promise<void>;
  release(): void;
}

/** Holds taken before the composer that edits the draft opens, for it to take over. */
const heldForComposer = new Map<string, DraftHold>();

/** Holds the draft now, for the composer about to reopen it (holdLocalDraft hands it over). */
export function holdForComposer(localId: string): void {
  if (!heldForComposer.has(localId)) heldForComposer.set(localId, requestHold(localId));
}

export function holdLocalDraft(localId: string): DraftHold {
  const taken = heldForComposer.get(localId);
  heldForComposer.delete(localId);
  return taken ?? requestHold(localId);
}

function requestHold(localId: string): DraftHold {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  if (typeof navigator === "undefined" || !navigator.locks) {
    return { acquired: Promise.resolve(), release };
  }
  let granted = () => {};
  const acquired = new Promise<void>((resolve) => {
    granted = resolve;
  });
  void navigator.locks
    .request(lockName(localId), () => {
      granted();
      return released;
    })
    .catch(() => granted());
  return { acquired, release };
}

export interface SyncHooks {
  /** Saves the draft to Drafts (replacing `replaceUid`); rejects with a FerryError. */
  save(draft: QueuedDraft): Promise<TMessageRef>;
  /** The bridge refused it: it stays on this device for the user to open. */
  refused(draft: QueuedDraft, error: unknown): void;
  online(): boolean;
}

/**
 * Saves every draft kept on this device that nobody holds to Drafts, each once; stops when the
 * connection drops. Returns how many were saved.
 */
export async function syncLocalDrafts(
  store: QueueStore,
  locks: DraftLocks,
  hooks: SyncHooks,
): Promise<number> {
  let saved = 0;
  let lost = false;
  const list = (await store.all()).flatMap(([, v]) => {
    const d = asDraft(v);
    return d ? [d] : [];
  });
  for (const listed of list) {
    if (lost || !hooks.online()) break;
    await locks.tryHold(listed.localId, async () => {
      const draft = await readLocalDraft(listed.localId, store);
      if (!draft) return;
      try {
        await hooks.save(draft);
      } catch (err) {
        if (isConnectionLoss(err)) lost = true;
        else hooks.refused(draft, err);
        return;
      }
      await removeLocalDraft(draft.localId, store);
      saved++;
    });
  }
  return saved;
}

/**
 * `draft` as the composer can open it again: recipients that are not addresses yet stay behind,
 * the text does not. Null when even then it is not a draft.
 */
export function restorableDraft(draft: TComposeDraftInput): TComposeDraft | null {
  const whole = ZComposeDraft.safeParse(draft);
  if (whole.success) return whole.data;
  const valid = (list: TComposeDraftInput["to"]) =>
    (list ?? []).filter((a) => ZComposeAddress.safeParse(a).success);
  const parsed = ZComposeDraft.safeParse({
    ...draft,
    to: valid(draft.to),
    cc: valid(draft.cc),
    bcc: valid(draft.bcc),
  });
  return parsed.success ? parsed.data : null;
}
