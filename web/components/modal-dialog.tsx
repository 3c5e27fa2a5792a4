"use client";
/**
 * A modal dialog opened when it mounts: a titled header with a Close button, closed by that
 * button, a click on the backdrop or Escape (the dialog's own), each ending in `onClose`. The
 * focus starts on the element marked `data-autofocus`, if any.
 */
import { type ReactNode, type RefObject, useEffect, useId, useRef } from "react";
import { t } from "@/lib/i18n";
import { CloseIcon } from "./icons";

export function ModalDialog(p: {
  title: ReactNode;
  onClose(): void;
  /** The dialog's width class, e.g. "max-w-xl". */
  width: string;
  /** The caller's ref, to close it from its own buttons. */
  dialogRef?: RefObject<HTMLDialogElement | null>;
  /** The title's id (default: a fresh one). */
  titleId?: string;
  children: ReactNode;
}) {
  const ownRef = useRef<HTMLDialogElement>(null);
  const ref = p.dialogRef ?? ownRef;
  const ownTitleId = useId();
  const titleId = p.titleId ?? ownTitleId;

  useEffect(() => {
    const d = ref.current;
    if (!d || d.open) return;
    d.showModal();
    // showModal focuses the first control (Close); a field marked data-autofocus takes it instead.
    // React's autoFocus cannot: it focuses on mount, while the dialog is still closed (hidden).
    const first = d.querySelector<HTMLElement>("[data-autofocus]");
    first?.focus();
    // A name to change (Rename) is selected, so that typing replaces it.
    if (first instanceof HTMLInputElement) first.select();
  }, [ref]);

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; Escape does natively
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={p.onClose}
      onClick={(e) => {
        if (e.target === e.currentTarget) ref.current?.close();
      }}
      className={`m-auto max-h-[90dvh] w-full ${p.width} rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100`}
    >
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <h2 id={titleId} className="min-w-0 truncate text-lg font-semibold">
          {p.title}
        </h2>
        <button
          type="button"
          aria-label={t("action.close")}
          onClick={() => ref.current?.close()}
          className="touch-target inline-flex shrink-0 items-center justify-center rounded-full hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:hover:bg-zinc-800"
        >
          <CloseIcon className="size-5" />
        </button>
      </div>
      {p.children}
    </dialog>
  );
}
