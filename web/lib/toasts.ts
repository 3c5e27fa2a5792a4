/**
 * Short notices at the bottom of the screen ("Message moved to Trash · Undo"). A tiny store so
 * that actions started from anywhere (keyboard, swipe, toolbar) can show one.
 */
import { useSyncExternalStore } from "react";

export interface Toast {
  id: number;
  text: string;
  /** An action offered with the notice, e.g. Undo. */
  action?: { label: string; run: () => void | Promise<void> };
  tone: "info" | "error";
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function emit(): void {
  for (const l of listeners) l();
}

export function showToast(
  toast: Omit<Toast, "id" | "tone"> & {
    tone?: Toast["tone"];
    /** How long it stays (default 8 s with an action, else 5 s). */
    durationMs?: number;
  },
): number {
  const id = nextId++;
  const { durationMs, ...shown } = toast;
  toasts = [...toasts.slice(-2), { tone: "info", ...shown, id }];
  emit();
  timers.set(
    id,
    setTimeout(() => dismissToast(id), durationMs ?? (toast.action ? 8000 : 5000)),
  );
  return id;
}

export function dismissToast(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  const next = toasts.filter((t) => t.id !== id);
  if (next.length === toasts.length) return;
  toasts = next;
  emit();
}

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
    () => toasts,
  );
}
