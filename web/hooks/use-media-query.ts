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

/** Phone layout: one pane at a time. */
export function useIsPhone(): boolean {
  return useMediaQuery("(max-width: 768px)");
}
