"use client";
/**
 * The notices at the bottom of the screen, with their Undo buttons. While a composer is open
 * they move out of its way, so that a notice never covers Send: on a wide screen to the
 * bottom-left (the composer is docked bottom-right), on a phone above its bottom bar.
 */
import { useComposeState } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { dismissToast, useToasts } from "@/lib/toasts";
import { CloseIcon } from "./icons";

export function Toasts() {
  const toasts = useToasts();
  const composing = useComposeState().composer !== null;
  return (
    <section
      aria-label={t("toast.region")}
      aria-live="polite"
      className={`pb-safe pointer-events-none fixed inset-x-0 z-40 flex flex-col items-center gap-2 p-4 ${
        composing ? "bottom-16 md:bottom-0 md:items-start" : "bottom-0"
      }`}
    >
      {toasts.map((toast) => (
        <div
          key={toast.id}
          role={toast.tone === "error" ? "alert" : "status"}
          className={`pointer-events-auto flex w-full max-w-md animate-toast-in items-center gap-3 rounded-xl px-4 py-2 text-sm shadow-lg ${
            toast.tone === "error"
              ? "bg-red-700 text-white"
              : "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
          }`}
        >
          <span className="flex-1">{toast.text}</span>
          {toast.action ? (
            <button
              type="button"
              onClick={() => {
                dismissToast(toast.id);
                void toast.action?.run();
              }}
              className="touch-target rounded-lg px-3 font-semibold text-accent-200 uppercase hover:bg-white/10 md:min-h-9 dark:text-accent-700 dark:hover:bg-black/10"
            >
              {toast.action.label}
            </button>
          ) : null}
          <button
            type="button"
            aria-label={t("toast.dismiss")}
            onClick={() => dismissToast(toast.id)}
            className="touch-target inline-flex items-center justify-center rounded-full hover:bg-white/10 md:min-h-8 md:min-w-8 dark:hover:bg-black/10"
          >
            <CloseIcon className="size-4" />
          </button>
        </div>
      ))}
    </section>
  );
}
