/**
 * Which composer is open (one at a time, like a docked compose window) and whether the compose
 * settings are showing. A tiny external store, so the keyboard, the reader's Reply buttons, the
 * outbox (Undo, a failed send) and the Drafts folder can all open the composer.
 *
 * Opening another message while one is open replaces it; the one leaving saves itself to Drafts
 * first (the composer does that when it unmounts), so nothing typed is lost.
 */

import type { TComposeDraft, TUidRef } from "@ferry/protocol";
import { useSyncExternalStore } from "react";
import type { ComposeRequest } from "./draft";

export interface ComposerEntry {
  /** Changes with every opening: the composer's React key. */
  key: number;
  request: ComposeRequest;
}

interface ComposeState {
  composer: ComposerEntry | null;
  settingsOpen: boolean;
}

let state: ComposeState = { composer: null, settingsOpen: false };
let nextKey = 1;
const listeners = new Set<() => void>();

function set(next: Partial<ComposeState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

/** What the composer holds right now: the draft, and the saved copy in Drafts it replaces. */
export interface DraftSnapshot {
  draft: TComposeDraft;
  draftUid: TUidRef | null;
  draftMailbox: string | null;
  /** The copy kept on this device (lib/compose/local-drafts), if the composer made one. */
  localId?: string;
}

/**
 * The open composer's hooks: how it leaves (saves its draft), which saved draft it edits, and
 * what it holds (null when empty), read at once for a page about to reload (lib/version-skew).
 */
interface ComposerHooks {
  key: number;
  leave: () => void;
  draftRef: () => { mailbox: string; uidValidity: number; uid: number } | null;
  snapshot: () => DraftSnapshot | null;
  /** The snapshot went to the next load of the page: no more saves here. */
  handedOver: () => void;
}
let hooks: ComposerHooks | null = null;

/** The composer `key` registers its hooks (while it is on screen). */
export function registerComposer(h: ComposerHooks): () => void {
  hooks = h;
  return () => {
    if (hooks?.key === h.key) hooks = null;
  };
}

export function openComposer(request: ComposeRequest): void {
  const current = state.composer;
  const open = current && hooks?.key === current.key ? hooks : null;
  if (open && request.kind === "context" && request.mode === "draft") {
    // The draft asked for is the one being edited: keep it on screen.
    const editing = open.draftRef();
    if (
      editing &&
      editing.mailbox === request.ref.mailbox &&
      editing.uidValidity === request.ref.uidValidity &&
      editing.uid === request.ref.uid
    ) {
      return;
    }
  }
  if (open) {
    hooks = null;
    open.leave();
  }
  set({ composer: { key: nextKey++, request } });
}

/** Closes the composer `key` (ignored when another one has replaced it meanwhile). */
export function closeComposer(key: number): void {
  if (state.composer?.key === key) set({ composer: null });
}

/** What the open composer holds, or null when none is open or it is empty. */
export function snapshotComposer(): DraftSnapshot | null {
  const current = state.composer;
  return current && hooks?.key === current.key ? hooks.snapshot() : null;
}

/** The open composer's draft was handed to the next load of the page: it saves no more. */
export function composerHandedOver(): void {
  const current = state.composer;
  if (current && hooks?.key === current.key) hooks.handedOver();
}

export function isComposerOpen(): boolean {
  return state.composer !== null;
}

export function openComposeSettings(): void {
  set({ settingsOpen: true });
}

export function closeComposeSettings(): void {
  set({ settingsOpen: false });
}

export function useComposeState(): ComposeState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
    () => state,
  );
}
