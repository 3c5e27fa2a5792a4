/**
 * What the page does when the bridge speaks another protocol version (Ferry was updated while
 * this tab stayed open, or the page is newer than the bridge): it says so in the status bar,
 * hands the open composer's draft over to the next page load, stops its socket and reloads
 * itself once.
 *
 * The draft cannot be saved to Drafts first (the bridge refuses this page's socket), so it goes
 * to sessionStorage, which survives the reload of this tab only; the next load reopens it in the
 * composer, which saves it to Drafts as soon as it is connected. A marker in sessionStorage
 * naming the bridge's version keeps a reload that did not help (a cached page, a bridge rolled
 * back meanwhile) from reloading again: the status bar then asks the user to reload, and the
 * socket keeps trying. A hello of this page's version clears the marker.
 */
import { ZComposeDraft, ZUidRef } from "@ferry/protocol";
import { useSyncExternalStore } from "react";
import { holdForComposer } from "./compose/local-drafts";
import {
  composerHandedOver,
  type DraftSnapshot,
  openComposer,
  snapshotComposer,
} from "./compose/store";
import { reloadIntoUpdate } from "./service-worker";
import type { FerrySocket } from "./socket";

const RELOADED_FOR_KEY = "ferry.reloadedFor";
const DRAFT_KEY = "ferry.handedOverDraft";
/** Long enough to read the notice before the page goes. */
const RELOAD_DELAY_MS = 1500;

/**
 * The draft handed from the page that reloads to the page that loads, with whose it is (another
 * account signed in meanwhile does not get it); null when `value` is not one.
 */
function parseHandedOver(value: unknown): (DraftSnapshot & { account: string }) | null {
  if (typeof value !== "object" || value === null) return null;
  if (!("account" in value && "draft" in value && "draftUid" in value && "draftMailbox" in value))
    return null;
  const { account, draftMailbox } = value;
  const draft = ZComposeDraft.safeParse(value.draft);
  const draftUid = ZUidRef.nullable().safeParse(value.draftUid);
  if (typeof account !== "string" || !draft.success || !draftUid.success) return null;
  if (draftMailbox !== null && typeof draftMailbox !== "string") return null;
  const localId = "localId" in value && typeof value.localId === "string" ? value.localId : null;
  return {
    account,
    draft: draft.data,
    draftUid: draftUid.data,
    draftMailbox,
    ...(localId ? { localId } : {}),
  };
}

/** What the status bar says about the page's version: nothing, or that it is out of date. */
export type UpdateNotice = null | "reloading" | "outdated";

let notice: UpdateNotice = null;
const listeners = new Set<() => void>();

function setNotice(next: UpdateNotice): void {
  if (notice === next) return;
  notice = next;
  for (const l of listeners) l();
}

export function useUpdateNotice(): UpdateNotice {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => notice,
    () => notice,
  );
}

export interface VersionSkewDeps {
  socket: Pick<FerrySocket, "onVersionMismatch" | "onOpen" | "stop">;
  /** sessionStorage, or null where it is blocked. */
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
  reload: () => void;
  /** The open composer's draft, or null when none is open or it is empty. */
  snapshotDraft: () => DraftSnapshot | null;
  /** The open composer's draft was handed over: it is not saved here any more. */
  handedOver?: () => void;
  /** Opens the composer on a handed-over draft. */
  reopenDraft: (draft: DraftSnapshot) => void;
  reloadDelayMs?: number;
}

function defaultDeps(socket: VersionSkewDeps["socket"]): VersionSkewDeps {
  let storage: Storage | null = null;
  try {
    storage = window.sessionStorage;
  } catch {
    // blocked: the page cannot hand a draft over, so it does not reload by itself
  }
  return {
    socket,
    storage,
    reload: () => void reloadIntoUpdate(),
    snapshotDraft: snapshotComposer,
    handedOver: composerHandedOver,
    reopenDraft: ({ localId, ...d }) => {
      // The copy the old page kept on this device (its autosave found the bridge gone) is this
      // same draft: the reopened composer takes it over (held from now, so the sync on
      // connecting does not save it too) and deletes it once it is saved to Drafts.
      if (localId) holdForComposer(localId);
      openComposer({ kind: "restore", ...d, problem: null, ...(localId ? { localId } : {}) });
    },
  };
}

/** Reopens a draft the previous load of this tab handed over, if it was `account`'s. */
function restoreDraft(deps: VersionSkewDeps, account: string): void {
  const storage = deps.storage;
  const text = storage?.getItem(DRAFT_KEY) ?? null;
  if (text === null) return;
  storage?.removeItem(DRAFT_KEY);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  const handed = parseHandedOver(value);
  if (handed === null || handed.account !== account) return;
  const { account: _, ...snapshot } = handed;
  deps.reopenDraft(snapshot);
}

/** Writes the open draft for the next load; false when it could not be kept. */
function handOverDraft(deps: VersionSkewDeps, account: string): boolean {
  const snapshot = deps.snapshotDraft();
  if (snapshot === null) return true;
  try {
    if (deps.storage === null) return false;
    deps.storage.setItem(DRAFT_KEY, JSON.stringify({ ...snapshot, account }));
    // A save here after this (the autosave finding the bridge gone keeps a copy on this device)
    // would be a second copy of the draft the next load saves.
    deps.handedOver?.();
    return true;
  } catch {
    return false; // over the storage quota: the user keeps the page, and the composer
  }
}

/**
 * Watches the socket for a bridge of another protocol version (see the module header), and
 * reopens a draft handed over by the previous load. Returns the function that stops watching.
 */
export function watchVersionSkew(
  account: string,
  socket: VersionSkewDeps["socket"],
  deps: VersionSkewDeps = defaultDeps(socket),
): () => void {
  restoreDraft(deps, account);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const offMismatch = deps.socket.onVersionMismatch(({ bridgeVersion }) => {
    const marker = `${bridgeVersion ?? "unknown"}`;
    if (timer !== undefined) return;
    if (deps.storage?.getItem(RELOADED_FOR_KEY) === marker || !handOverDraft(deps, account)) {
      setNotice("outdated");
      return;
    }
    deps.storage?.setItem(RELOADED_FOR_KEY, marker);
    // Nothing more from this page: what it holds now is what the next load gets.
    deps.socket.stop();
    setNotice("reloading");
    timer = setTimeout(deps.reload, deps.reloadDelayMs ?? RELOAD_DELAY_MS);
  });
  const offOpen = deps.socket.onOpen(() => {
    deps.storage?.removeItem(RELOADED_FOR_KEY);
    setNotice(null);
  });
  return () => {
    offMismatch();
    offOpen();
    clearTimeout(timer);
    timer = undefined;
    setNotice(null);
  };
}
