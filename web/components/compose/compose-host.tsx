"use client";
/**
 * Where the composer lives in the mail app: it shows the open composer (a chunk of its own,
 * fetched once the page is idle, or sooner when the user reaches for Compose), the compose
 * settings, and starts the outbox that reports what happens to sent messages.
 */
import { useEffect } from "react";
import { useIdentities } from "@/hooks/use-compose";
import { chunk } from "@/lib/chunk";
import { clearOutbox, startOutbox } from "@/lib/compose/outbox";
import { closeComposeSettings, openComposer, useComposeState } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { whenIdle } from "@/lib/idle";
import { onSessionEnd } from "@/lib/session";
import { PencilIcon } from "./compose-icons";

// Both are chunks of their own, rendered without a Suspense boundary (lib/chunk.ts).
const composerChunk = chunk(() => import("./composer"));
const settingsChunk = chunk(() => import("./compose-settings"));

/** Fetch the composer's code ahead of need (hover, focus on Compose). */
export function preloadComposer(): void {
  void composerChunk.preload().catch(() => undefined);
}

export function ComposeHost({ email }: { email: string }) {
  const { composer, settingsOpen } = useComposeState();
  const Composer = composerChunk.useModule(composer !== null)?.Composer;
  const ComposeSettings = settingsChunk.useModule(settingsOpen)?.ComposeSettings;
  // The From choices are ready before the first composer opens.
  useIdentities();
  useEffect(() => {
    startOutbox();
    return onSessionEnd(clearOutbox);
  }, []);
  // The composer's code is fetched once the page is idle, not only when the user reaches for
  // Compose: a user who goes offline before the service worker has cached it (or in a browser
  // without one) can still write a message, which is then kept on this device.
  useEffect(() => whenIdle(preloadComposer), []);
  return (
    <>
      {composer && Composer ? <Composer key={composer.key} entry={composer} email={email} /> : null}
      {settingsOpen && ComposeSettings ? (
        <ComposeSettings email={email} onClose={closeComposeSettings} />
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
