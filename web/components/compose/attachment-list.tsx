"use client";
import { useUploadLimits } from "@/hooks/use-upload-limits";
/**
 * The composer's attachments: each with its name, size, an upload progress bar while it goes
 * up, that it waits to be uploaded (attached offline), why it failed if it did, and a Remove
 * button; then the limits, always shown.
 */
import {
  attachmentName,
  attachmentSize,
  type ComposeAttachmentItem,
  totalAttachmentBytes,
} from "@/lib/compose/draft";
import { formatBinarySize } from "@/lib/compose/limits";
import { t } from "@/lib/i18n";
import { CloseIcon, FileIcon } from "../icons";

interface AttachmentListProps {
  items: ComposeAttachmentItem[];
  onRemove(key: string): void;
}

export function AttachmentList({ items, onRemove }: AttachmentListProps) {
  const total = totalAttachmentBytes(items);
  const limits = useUploadLimits();
  return (
    <div className="border-t border-zinc-200 px-4 py-2 dark:border-zinc-800">
      {items.length > 0 ? (
        <ul
          aria-label={t("compose.attachments", { count: items.length })}
          className="mb-1.5 flex flex-col gap-1.5"
        >
          {items.map((item) => {
            const name = attachmentName(item);
            const size = attachmentSize(item);
            const uploading = item.kind === "upload" && item.status === "uploading";
            const failed = item.kind === "upload" && item.status === "failed";
            const kept = item.kind === "upload" && item.status === "kept";
            return (
              <li
                key={item.key}
                className={`rounded-lg border px-2.5 py-1.5 ${
                  failed
                    ? "border-red-300 bg-red-50 dark:border-red-900 dark:bg-red-950"
                    : "border-zinc-200 dark:border-zinc-800"
                }`}
              >
                <div className="flex items-center gap-2">
                  <FileIcon className="size-4 shrink-0 text-zinc-500" />
                  <span className="min-w-0 flex-1 truncate text-sm font-medium" title={name}>
                    {name}
                  </span>
                  <span className="shrink-0 text-xs text-zinc-500 tabular-nums">
                    {formatBinarySize(size)}
                  </span>
                  <button
                    type="button"
                    aria-label={t("compose.attachment.remove", { name })}
                    title={t("compose.attachment.remove", { name })}
                    onClick={() => onRemove(item.key)}
                    className="touch-target inline-flex items-center justify-center rounded-full hover:bg-zinc-200/70 md:min-h-7 md:min-w-7 dark:hover:bg-zinc-800"
                  >
                    <CloseIcon className="size-4" />
                  </button>
                </div>
                {uploading && item.kind === "upload" ? (
                  <div
                    role="progressbar"
                    aria-label={t("compose.attachment.uploading", { name })}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={Math.round(item.progress * 100)}
                    className="mt-1 h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
                  >
                    <div
                      className="h-full rounded-full bg-accent-600 transition-[width]"
                      style={{ width: `${Math.round(item.progress * 100)}%` }}
                    />
                  </div>
                ) : null}
                {kept ? (
                  <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">
                    {t("compose.attachment.kept")}
                  </p>
                ) : null}
                {failed && item.kind === "upload" ? (
                  <p className="mt-0.5 text-xs text-red-800 dark:text-red-200">{item.error}</p>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <p className="text-xs text-zinc-500">
        {t("compose.limits", {
          file: formatBinarySize(limits.file),
          message: formatBinarySize(limits.message),
        })}
        {items.length > 0 ? ` ${t("compose.limitsUsed", { used: formatBinarySize(total) })}` : ""}
      </p>
    </div>
  );
}
