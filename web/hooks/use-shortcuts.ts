/**
 * Gmail's keyboard shortcuts: single keys, and `g` followed by a second key. Ignored while
 * typing in a field or with Ctrl/Alt/Meta held; the handler object may change every render.
 */
import { useEffect, useRef } from "react";
import { isTyping } from "@/lib/typing";

export interface ShortcutHandlers {
  next(): void;
  prev(): void;
  open(): void;
  back(): void;
  archive(): void;
  remove(): void;
  star(): void;
  select(): void;
  markRead(): void;
  markUnread(): void;
  search(): void;
  help(): void;
  goto(where: "inbox" | "starred" | "drafts" | "sent"): void;
}

export function useShortcuts(handlers: ShortcutHandlers, enabled: boolean): void {
  const ref = useRef(handlers);
  ref.current = handlers;

  useEffect(() => {
    if (!enabled) return;
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const h = ref.current;
      const key = e.key;
      if (pendingG && Date.now() - pendingG < 1500) {
        pendingG = 0;
        const where =
          key === "i"
            ? "inbox"
            : key === "s"
              ? "starred"
              : key === "d"
                ? "drafts"
                : key === "t"
                  ? "sent"
                  : null;
        if (where) {
          e.preventDefault();
          h.goto(where);
          return;
        }
      }
      pendingG = 0;
      const onControl =
        e.target instanceof HTMLElement &&
        (e.target.tagName === "BUTTON" ||
          e.target.tagName === "A" ||
          e.target.getAttribute("role") === "menuitem");
      let handled = true;
      switch (key) {
        case "j":
          h.next();
          break;
        case "k":
          h.prev();
          break;
        case "o":
          h.open();
          break;
        case "Enter":
          if (onControl) return;
          h.open();
          break;
        case "u":
          h.back();
          break;
        case "e":
          h.archive();
          break;
        case "#":
          h.remove();
          break;
        case "s":
          h.star();
          break;
        case "x":
          h.select();
          break;
        case "I":
          if (e.shiftKey) h.markRead();
          else handled = false;
          break;
        case "U":
          if (e.shiftKey) h.markUnread();
          else handled = false;
          break;
        case "/":
          h.search();
          break;
        case "?":
          h.help();
          break;
        case "g":
          pendingG = Date.now();
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
