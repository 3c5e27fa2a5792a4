import { useSyncExternalStore } from "react";

/** Whether a media query matches, following changes. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (l) => {
      const m = window.matchMedia(query);
      m.addEventListener("change", l);
      return () => m.removeEventListener("change", l);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

/** The phone layout's query: one pane at a time below this width. */
export const PHONE_QUERY = "(max-width: 768px)";

/** Phone layout: one pane at a time. */
export function useIsPhone(): boolean {
  return useMediaQuery(PHONE_QUERY);
}
