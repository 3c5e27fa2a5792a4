/**
 * Which composer is open (one at a time, like a docked compose window) and whether the compose
 * settings are showing. A tiny external store, so the keyboard, the reader's Reply buttons, the
 * outbox (Undo, a failed send) and the Drafts folder can all open the composer.
 *
 * Opening another message while one is open replaces it; the one leaving saves itself to Drafts
 * first (the composer does that when it unmounts), so nothing typed is lost.
 */
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

/** What the open composer does before another one takes its place (save its draft). */
let leaving: { key: number; run: () => void } | null = null;

/** The composer `key` registers how it leaves (while it is still on screen). */
export function onComposerLeave(key: number, run: () => void): () => void {
  leaving = { key, run };
  return () => {
    if (leaving?.key === key) leaving = null;
  };
}

export function openComposer(request: ComposeRequest): void {
  const current = state.composer;
  if (current && leaving?.key === current.key) {
    const { run } = leaving;
    leaving = null;
    run();
  }
  set({ composer: { key: nextKey++, request } });
}

/** Closes the composer `key` (ignored when another one has replaced it meanwhile). */
export function closeComposer(key: number): void {
  if (state.composer?.key === key) set({ composer: null });
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
