"use client";
/**
 * The composer's bottom bar: Send (and Send later), attach files (with the size limits as its
 * hint), the autosave's state and Discard.
 */
import { useRef } from "react";
import type { SaveStatus } from "@/hooks/use-compose-draft";
import { useUploadLimits } from "@/hooks/use-upload-limits";
import { reasonOf } from "@/lib/actions";
import { formatBinarySize } from "@/lib/compose/limits";
import { t } from "@/lib/i18n";
import { PaperclipIcon, SendIcon, TrashIcon } from "../icons";
import { SendLaterButton } from "./send-later";

export function ComposeToolbar({
  send,
  sending,
  describedBy,
  onFiles,
  saveStatus,
  saveError,
  discard,
}: {
  /** Sends now, or at `at` (Send later). */
  send(at?: Date): Promise<void>;
  sending: boolean;
  /** The id of the problems shown above the bar, when there are any. */
  describedBy: string | undefined;
  onFiles(files: File[]): void;
  saveStatus: SaveStatus;
  saveError: unknown;
  discard(): Promise<void>;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  const limits = useUploadLimits();
  return (
    <div className="flex shrink-0 items-center gap-1 border-t border-zinc-200 px-3 py-2 dark:border-zinc-800">
      <button
        type="button"
        onClick={() => void send()}
        disabled={sending}
        aria-busy={sending || undefined}
        aria-describedby={describedBy}
        title={`${t("compose.send")} (Ctrl+Enter)`}
        className="touch-target inline-flex items-center gap-2 rounded-full bg-accent-600 px-5 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60 md:min-h-9"
      >
        <SendIcon className="size-4" />
        {t("compose.send")}
      </button>
      <SendLaterButton disabled={sending} onSendAt={(at) => void send(at)} />
      <button
        type="button"
        aria-label={t("compose.attach")}
        title={t("compose.attachHint", {
          file: formatBinarySize(limits.file),
          message: formatBinarySize(limits.message),
        })}
        onClick={() => fileInput.current?.click()}
        className="touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        <PaperclipIcon className="size-5" />
      </button>
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          onFiles(Array.from(e.target.files ?? []));
          e.target.value = "";
        }}
      />
      <SaveState status={saveStatus} error={saveError} />
      <button
        type="button"
        aria-label={t("compose.discard")}
        title={t("compose.discard")}
        onClick={() => void discard()}
        className="touch-target ml-auto inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        <TrashIcon className="size-5" />
      </button>
    </div>
  );
}

function SaveState({ status, error }: { status: SaveStatus; error: unknown }) {
  // A save is due a moment after each change: "Saving…" from the change on.
  const text =
    status === "saving" || status === "pending"
      ? t("compose.saving")
      : status === "saved"
        ? t("compose.saved")
        : status === "local"
          ? t("compose.savedLocally")
          : status === "failed"
            ? t("compose.saveFailed", { reason: reasonOf(error) })
            : "";
  return (
    <span
      role="status"
      className={`min-w-0 truncate px-2 text-xs ${status === "failed" ? "text-red-700 dark:text-red-300" : "text-zinc-500"}`}
    >
      {text}
    </span>
  );
}
