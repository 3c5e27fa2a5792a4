/**
 * Gmail's writing shortcuts: `c` composes, and on an open message `r` replies, `a` replies to
 * all, `f` forwards. Like the other single-key shortcuts they are ignored while typing, with a
 * modifier held, inside the composer, or while a modal dialog is open. (Ctrl/⌘+Enter, which
 * sends, belongs to the composer itself.)
 */
import type { TMessageRef } from "@ferry/protocol";
import { useEffect, useRef } from "react";
import { openComposer } from "@/lib/compose/store";
import { isTyping } from "@/lib/typing";

/** `openRef`: the message in the reader, or null. */
export function useComposeShortcuts(openRef: TMessageRef | null, enabled = true): void {
  const ref = useRef(openRef);
  ref.current = openRef;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      if (isTyping(e.target)) return;
      if (e.target instanceof Element && e.target.closest("[data-composer]")) return;
      if (document.querySelector("dialog[open]")) return;
      const msg = ref.current;
      switch (e.key) {
        case "c":
          openComposer({ kind: "new" });
          break;
        case "r":
          if (!msg) return;
          openComposer({ kind: "context", mode: "reply", ref: msg });
          break;
        case "a":
          if (!msg) return;
          openComposer({ kind: "context", mode: "replyAll", ref: msg });
          break;
        case "f":
          if (!msg) return;
          openComposer({ kind: "context", mode: "forward", ref: msg });
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
