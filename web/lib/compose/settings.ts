/**
 * The composer's own setting: how long a sent message waits for Undo (0–30 s, default 10),
 * kept in localStorage (it is a preference of this browser, not a secret).
 */
import { DEFAULT_SEND_DELAY_SECONDS, MAX_SEND_DELAY_SECONDS } from "@ferry/protocol";
import { useSyncExternalStore } from "react";

export const SEND_DELAY_KEY = "ferry.compose.undoSeconds";
/** The choices the settings offer. */
export const SEND_DELAY_CHOICES = [0, 5, 10, 20, 30] as const;

const listeners = new Set<() => void>();

function clamp(n: number): number {
  return Math.max(0, Math.min(MAX_SEND_DELAY_SECONDS, Math.round(n)));
}

export function getSendDelay(): number {
  try {
    const raw = localStorage.getItem(SEND_DELAY_KEY);
    if (raw === null) return DEFAULT_SEND_DELAY_SECONDS;
    const n = Number(raw);
    return Number.isFinite(n) ? clamp(n) : DEFAULT_SEND_DELAY_SECONDS;
  } catch {
    return DEFAULT_SEND_DELAY_SECONDS;
  }
}

export function setSendDelay(seconds: number): void {
  try {
    localStorage.setItem(SEND_DELAY_KEY, String(clamp(seconds)));
  } catch {
    // storage blocked: the default stays
  }
  for (const l of listeners) l();
}

export function useSendDelay(): number {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      const onStorage = (e: StorageEvent) => {
        if (e.key === SEND_DELAY_KEY) l();
      };
      window.addEventListener("storage", onStorage);
      return () => {
        listeners.delete(l);
        window.removeEventListener("storage", onStorage);
      };
    },
    getSendDelay,
    () => DEFAULT_SEND_DELAY_SECONDS,
  );
}
