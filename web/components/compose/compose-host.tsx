"use client";
/**
 * Where the composer lives in the mail app: it shows the open composer (a chunk of its own,
 * loaded on first use or when the user reaches for Compose), the compose settings, and starts
 * the outbox that reports what happens to sent messages.
 */
import { lazy, Suspense, useEffect } from "react";
import { useIdentities } from "@/hooks/use-compose";
import { clearOutbox, startOutbox } from "@/lib/compose/outbox";
import { closeComposeSettings, openComposer, useComposeState } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { onSessionEnd } from "@/lib/session";
import { PencilIcon } from "./compose-icons";

const loadComposer = () => import("./composer");
const Composer = lazy(() => loadComposer().then((m) => ({ default: m.Composer })));
const ComposeSettings = lazy(() =>
  import("./compose-settings").then((m) => ({ default: m.ComposeSettings })),
);

let requested = false;
/** Fetch the composer's code ahead of need (hover, focus on Compose). */
export function preloadComposer(): void {
  if (requested) return;
  requested = true;
  void loadComposer();
}

export function ComposeHost({ email }: { email: string }) {
  const { composer, settingsOpen } = useComposeState();
  // The From choices are ready before the first composer opens.
  useIdentities();
  useEffect(() => {
    startOutbox();
    return onSessionEnd(clearOutbox);
  }, []);
  return (
    <>
      {composer ? (
        <Suspense fallback={null}>
          <Composer key={composer.key} entry={composer} email={email} />
        </Suspense>
      ) : null}
      {settingsOpen ? (
        <Suspense fallback={null}>
          <ComposeSettings email={email} onClose={closeComposeSettings} />
        </Suspense>
      ) : null}
    </>
  );
}

/** The Compose button: a wide one above the folders, or a floating one on a phone's list. */
export function ComposeButton({ variant }: { variant: "sidebar" | "fab" }) {
  const open = () => openComposer({ kind: "new" });
  if (variant === "fab") {
    return (
      <button
        type="button"
        aria-label={t("compose.button")}
        title={t("compose.button")}
        onClick={open}
        onTouchStart={preloadComposer}
        className="fixed right-4 bottom-[calc(1rem+env(safe-area-inset-bottom))] z-20 inline-flex size-14 items-center justify-center rounded-2xl bg-accent-600 text-white shadow-lg hover:bg-accent-700"
      >
        <PencilIcon className="size-6" />
      </button>
    );
  }
  return (
    <button
      type="button"
      onClick={open}
      onPointerEnter={preloadComposer}
      onFocus={preloadComposer}
      title={`${t("compose.button")} (c)`}
      className="touch-target inline-flex items-center gap-3 rounded-2xl bg-accent-100 px-4 text-sm font-semibold text-accent-900 shadow-sm hover:bg-accent-200 md:min-h-12 dark:bg-accent-900 dark:text-accent-100 dark:hover:bg-accent-700"
    >
      <PencilIcon className="size-5" />
      {t("compose.button")}
    </button>
  );
}
