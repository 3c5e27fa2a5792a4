"use client";
/** The list of keyboard shortcuts, opened with `?`. A modal <dialog>. */
import { useEffect, useRef } from "react";
import { type MessageKey, t } from "@/lib/i18n";
import { CloseIcon } from "./icons";

export const SHORTCUTS: Array<{ keys: string[]; label: MessageKey }> = [
  { keys: ["j"], label: "keys.next" },
  { keys: ["k"], label: "keys.prev" },
  { keys: ["o", "Enter"], label: "keys.openMsg" },
  { keys: ["u"], label: "keys.back" },
  { keys: ["e"], label: "keys.archive" },
  { keys: ["#"], label: "keys.delete" },
  { keys: ["s"], label: "keys.star" },
  { keys: ["x"], label: "keys.select" },
  { keys: ["Shift+I"], label: "keys.read" },
  { keys: ["Shift+U"], label: "keys.unread" },
  { keys: ["c"], label: "keys.compose" },
  { keys: ["r"], label: "keys.reply" },
  { keys: ["a"], label: "keys.replyAll" },
  { keys: ["f"], label: "keys.forward" },
  { keys: ["n"], label: "keys.nextInConversation" },
  { keys: ["p"], label: "keys.prevInConversation" },
  { keys: [";"], label: "keys.expandAll" },
  { keys: [":"], label: "keys.collapseAll" },
  { keys: ["Ctrl+Enter"], label: "keys.send" },
  { keys: ["/"], label: "keys.search" },
  { keys: ["g", "i"], label: "keys.gotoInbox" },
  { keys: ["g", "s"], label: "keys.gotoStarred" },
  { keys: ["g", "d"], label: "keys.gotoDrafts" },
  { keys: ["g", "t"], label: "keys.gotoSent" },
  { keys: ["?"], label: "keys.help" },
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; Escape does natively
    <dialog
      ref={ref}
      aria-labelledby="shortcuts-title"
      onClose={onClose}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      className="m-auto w-full max-w-lg rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="flex items-center justify-between border-b border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <h2 id="shortcuts-title" className="text-lg font-semibold">
          {t("keys.title")}
        </h2>
        <button
          type="button"
          aria-label={t("action.close")}
          onClick={onClose}
          className="touch-target inline-flex items-center justify-center rounded-full hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:hover:bg-zinc-800"
        >
          <CloseIcon className="size-5" />
        </button>
      </div>
      <dl className="grid max-h-[70vh] grid-cols-[auto_1fr] gap-x-6 gap-y-2 overflow-y-auto px-5 py-4 text-sm">
        {SHORTCUTS.map((s) => (
          <div key={s.label} className="contents">
            <dt className="flex items-center gap-1 whitespace-nowrap">
              {s.keys.map((k, i) => (
                <span key={k} className="flex items-center gap-1">
                  {i > 0 && s.keys.length === 2 && s.keys[0] === "g" ? (
                    <span className="text-xs text-zinc-500">{t("keys.then")}</span>
                  ) : i > 0 ? (
                    <span className="text-xs text-zinc-500">/</span>
                  ) : null}
                  <kbd className="rounded border border-zinc-300 bg-zinc-50 px-1.5 py-0.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-800">
                    {k}
                  </kbd>
                </span>
              ))}
            </dt>
            <dd>{t(s.label)}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
