/**
 * Media queries as React state: whether a query matches, following its changes, with one
 * MediaQueryList per query string for the page (made at its first use, never per render), and
 * the phone layout's query.
 */
import { useSyncExternalStore } from "react";

interface MediaStore {
  subscribe(onChange: () => void): () => void;
  matches(): boolean;
}

const stores = new Map<string, MediaStore>();

function mediaStore(query: string): MediaStore {
  let store = stores.get(query);
  if (!store) {
    const list = window.matchMedia(query);
    store = {
      subscribe(onChange) {
        list.addEventListener("change", onChange);
        return () => list.removeEventListener("change", onChange);
      },
      matches: () => list.matches,
    };
    stores.set(query, store);
  }
  return store;
}

const noStore: MediaStore = { subscribe: () => () => undefined, matches: () => false };

/** Whether a media query matches, following changes (false while rendered on the server). */
export function useMediaQuery(query: string): boolean {
  const store = typeof window === "undefined" ? noStore : mediaStore(query);
  return useSyncExternalStore(store.subscribe, store.matches, () => false);
}

/** The phone layout's query: one pane at a time below this width. */
export const PHONE_QUERY = "(max-width: 768px)";

/** Phone layout: one pane at a time. */
export function useIsPhone(): boolean {
  return useMediaQuery(PHONE_QUERY);
}
