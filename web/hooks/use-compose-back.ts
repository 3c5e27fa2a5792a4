/**
 * Back closes the composer on a phone, where it fills the screen: while it is open there is a
 * history entry of its own (same URL, marked in `history.state`), so Back pops that entry and
 * the composer closes (saving its draft) instead of the browser leaving the app. Closed any
 * other way, the composer takes its entry back off the history (when it is still the current
 * one: an entry the app pushed on top since stays). That step back is not the user's Back: a
 * composer opened before its popstate comes (a failed send brings the message back at once)
 * stays open, with an entry of its own again.
 */
import { useEffect, useRef } from "react";

const MARK = "ferryComposer";

/** A closed composer's entry is coming off the history (its history.back() is in flight). */
let leaving = false;

function takeEntryOff(): void {
  leaving = true;
  // Cleared once every popstate listener has seen that traversal's event.
  window.addEventListener("popstate", () => setTimeout(() => (leaving = false), 0), { once: true });
  window.history.back();
}

function markOf(state: unknown): unknown {
  return typeof state === "object" && state !== null && MARK in state
    ? (state as Record<string, unknown>)[MARK]
    : undefined;
}

/** While `active`, Back calls `onBack` (which closes the composer) instead of leaving. */
export function useComposeBack(entryKey: number, active: boolean, onBack: () => void): void {
  const onBackRef = useRef(onBack);
  onBackRef.current = onBack;
  const mounted = useRef(false);

  useEffect(() => {
    if (!active) return;
    mounted.current = true;
    const current: unknown = window.history.state;
    const base = typeof current === "object" && current !== null ? current : {};
    const mark = markOf(current);
    const href = window.location.href;
    if (mark !== entryKey) {
      const state = { ...base, [MARK]: entryKey };
      // Another composer's entry (it was replaced by this one) is reused, not stacked.
      if (mark === undefined) window.history.pushState(state, "", href);
      else window.history.replaceState(state, "", href);
    }
    const onPop = () => {
      const now: unknown = window.history.state;
      if (markOf(now) === entryKey) return;
      if (leaving) {
        const kept = typeof now === "object" && now !== null ? now : {};
        window.history.pushState({ ...kept, [MARK]: entryKey }, "", window.location.href);
        return;
      }
      onBackRef.current();
    };
    window.addEventListener("popstate", onPop);
    return () => {
      mounted.current = false;
      window.removeEventListener("popstate", onPop);
      // Deferred, so that StrictMode's test unmount (immediately remounted) keeps the entry.
      setTimeout(() => {
        const own = markOf(window.history.state) === entryKey && window.location.href === href;
        if (!mounted.current && own) takeEntryOff();
      }, 0);
    };
  }, [entryKey, active]);
}
