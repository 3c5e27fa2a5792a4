"use client";
/**
 * The composer's frame: a dialog named "New message", "Reply" or "Forward", docked at the bottom
 * right on a desktop and full screen on a phone, with its title bar (minimize on a desktop,
 * close). Keys typed inside stay the composer's (the mail app's shortcuts do not see them).
 */
import { type DragEvent, type KeyboardEvent, type ReactNode, useId } from "react";
import { type ComposeRequest, composerTitle } from "@/lib/compose/draft";
import { t } from "@/lib/i18n";
import { CloseIcon } from "../icons";
import { ExpandIcon, MinimizeIcon } from "./compose-icons";

export type Title = ReturnType<typeof composerTitle>;

function titleText(title: Title): string {
  return title === "reply"
    ? t("compose.title.reply")
    : title === "forward"
      ? t("compose.title.forward")
      : t("compose.title.new");
}

/** The title of a composer that is still loading its prefill. */
export function requestTitle(request: ComposeRequest): Title {
  if (request.kind === "new") return "new";
  if (request.kind === "restore") return composerTitle(request.draft.source);
  if (request.mode === "reply" || request.mode === "replyAll") return "reply";
  if (request.mode === "draft") return "new";
  return "forward";
}

interface FrameProps {
  title: Title;
  isPhone: boolean;
  minimized: boolean;
  onMinimize?(): void;
  onClose(): void;
  children: ReactNode;
  onKeyDown?(e: KeyboardEvent<HTMLElement>): void;
  onDragOver?(e: DragEvent<HTMLElement>): void;
  onDragLeave?(e: DragEvent<HTMLElement>): void;
  onDrop?(e: DragEvent<HTMLElement>): void;
}

const headerButton =
  "touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 md:min-h-8 md:min-w-8 dark:text-zinc-300 dark:hover:bg-zinc-800";

export function ComposerFrame(p: FrameProps) {
  const headingId = useId();
  return (
    <section
      role="dialog"
      aria-labelledby={headingId}
      aria-modal={p.isPhone ? true : undefined}
      data-composer=""
      onKeyDown={(e) => {
        p.onKeyDown?.(e);
        // Keys typed here are the composer's: the mail app's single-key shortcuts (on window)
        // must not act on them, even from a button.
        e.stopPropagation();
      }}
      onDragOver={p.onDragOver}
      onDragLeave={p.onDragLeave}
      onDrop={p.onDrop}
      className={
        p.isPhone
          ? "pt-safe pb-safe pl-safe pr-safe fixed inset-0 z-30 flex flex-col bg-white dark:bg-zinc-950"
          : `fixed right-4 bottom-0 z-30 flex w-[min(40rem,calc(100vw-2rem))] flex-col overflow-hidden rounded-t-xl border border-zinc-300 bg-white shadow-2xl dark:border-zinc-700 dark:bg-zinc-950 ${
              p.minimized ? "" : "h-[min(44rem,calc(100dvh-4.5rem))]"
            }`
      }
    >
      <div className="flex shrink-0 items-center gap-1 border-b border-zinc-200 bg-zinc-100 py-1 pr-1 pl-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id={headingId} className="min-w-0 flex-1 truncate text-sm font-semibold">
          {titleText(p.title)}
        </h2>
        {p.onMinimize && !p.isPhone ? (
          <button
            type="button"
            aria-label={p.minimized ? t("compose.expand") : t("compose.minimize")}
            title={p.minimized ? t("compose.expand") : t("compose.minimize")}
            aria-expanded={!p.minimized}
            onClick={p.onMinimize}
            className={headerButton}
          >
            {p.minimized ? <ExpandIcon className="size-4" /> : <MinimizeIcon className="size-4" />}
          </button>
        ) : null}
        <button
          type="button"
          aria-label={t("compose.close")}
          title={t("compose.close")}
          onClick={p.onClose}
          className={headerButton}
        >
          <CloseIcon className="size-5" />
        </button>
      </div>
      {p.children}
    </section>
  );
}
