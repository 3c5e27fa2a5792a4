/**
 * The colour scheme: follows the system unless the user picked light or dark (kept in
 * localStorage; it is a preference, not a secret). lib/theme-script.ts, inline in the page,
 * applies it before the first paint.
 */
import { useSyncExternalStore } from "react";
import { THEME_KEY as KEY } from "./theme-script";

export type ThemeChoice = "system" | "light" | "dark";
const listeners = new Set<() => void>();

function read(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

function systemDark(): boolean {
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

function apply(choice: ThemeChoice): void {
  const dark = choice === "dark" || (choice === "system" && systemDark());
  document.documentElement.classList.toggle("dark", dark);
  document.documentElement.style.colorScheme = dark ? "dark" : "light";
}

let choice: ThemeChoice | null = null;
let watching = false;

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (!watching && typeof window !== "undefined") {
    watching = true;
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
      if (getTheme() === "system") apply("system");
    });
    window.addEventListener("storage", (e) => {
      if (e.key !== KEY) return;
      choice = read();
      apply(choice);
      for (const fn of listeners) fn();
    });
  }
  return () => listeners.delete(l);
}

export function getTheme(): ThemeChoice {
  if (choice === null) choice = read();
  return choice;
}

export function setTheme(next: ThemeChoice): void {
  choice = next;
  try {
    if (next === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
  apply(next);
  for (const l of listeners) l();
}

/** The next choice in the toggle's cycle: system → dark → light → system. */
export function nextTheme(c: ThemeChoice): ThemeChoice {
  return c === "system" ? "dark" : c === "dark" ? "light" : "system";
}

export function useTheme(): ThemeChoice {
  return useSyncExternalStore(subscribe, getTheme, () => "system");
}
