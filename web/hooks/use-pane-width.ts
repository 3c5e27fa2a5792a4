/** A resizable pane's width, kept in localStorage under `key` (the default when none is saved). */
import { useCallback, useState } from "react";

export function usePaneWidth(key: string, initial: number): [number, (v: number) => void] {
  const [value, setValue] = useState(() => {
    try {
      const saved = Number(localStorage.getItem(key));
      return saved > 0 ? saved : initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (v: number) => {
      setValue(v);
      try {
        localStorage.setItem(key, String(v));
      } catch {
        // not saved
      }
    },
    [key],
  );
  return [value, set];
}
