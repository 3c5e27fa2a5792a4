"use client";
/**
 * What waits in this browser for the next connection, in the folder pane: the local Outbox
 * (messages sent while offline, lib/offline-queue) and the drafts written offline that are not in
 * Drafts yet (lib/compose/local-drafts), each of which opens in the composer. Shown only while
 * there are any.
 */
import { rememberInlineImage } from "@/lib/compose/inline-images";
import { readLocalDraft, restorableDraft } from "@/lib/compose/local-drafts";
import { openComposer } from "@/lib/compose/store";
import { formatCount, t } from "@/lib/i18n";
import { useQueueSummary } from "@/lib/offline-queue";
import { DraftIcon, SendIcon } from "./icons";

async function openLocalDraft(localId: string): Promise<void> {
  const stored = await readLocalDraft(localId);
  const draft = stored ? restorableDraft(stored.draft) : null;
  if (!stored || !draft) return;
  for (const [uploadId, blob] of Object.entries(stored.images ?? {})) {
    rememberInlineImage(uploadId, blob);
  }
  openComposer({
    kind: "restore",
    draft,
    draftUid: stored.replaceUid,
    draftMailbox: stored.draftMailbox,
    problem: null,
    localId,
  });
}

export function OutboxEntry() {
  const { sends, drafts } = useQueueSummary();
  const outbox = t("offline.outbox");
  const local = t("offline.localDrafts");
  return (
    <>
      {sends > 0 ? (
        <li
          aria-label={`${outbox}, ${t("offline.outboxCount", { count: sends })}`}
          className="flex min-h-9 items-center gap-3 rounded-lg py-1.5 pr-3 pl-3 text-sm text-zinc-700 dark:text-zinc-300"
        >
          <SendIcon className="size-[18px] shrink-0" />
          <span className="min-w-0 flex-1 truncate">{outbox}</span>
          <span aria-hidden="true" className="text-xs tabular-nums text-zinc-500">
            {formatCount(sends)}
          </span>
        </li>
      ) : null}
      {drafts.length > 0 ? (
        <li
          aria-label={`${local}, ${t("offline.localDraftsCount", { count: drafts.length })}`}
          className="text-sm text-zinc-700 dark:text-zinc-300"
        >
          <div className="flex min-h-9 items-center gap-3 py-1.5 pr-3 pl-3">
            <DraftIcon className="size-[18px] shrink-0" />
            <span className="min-w-0 flex-1 truncate">{local}</span>
            <span aria-hidden="true" className="text-xs tabular-nums text-zinc-500">
              {formatCount(drafts.length)}
            </span>
          </div>
          <ul className="pl-9">
            {drafts.map((d) => {
              const subject = d.subject.trim() || t("list.noSubject");
              return (
                <li key={d.localId}>
                  <button
                    type="button"
                    aria-label={t("offline.openLocalDraft", { subject })}
                    onClick={() => void openLocalDraft(d.localId)}
                    className="touch-target w-full truncate rounded-lg px-2 text-left text-sm hover:bg-zinc-200/70 md:min-h-8 dark:hover:bg-zinc-800"
                  >
                    {subject}
                  </button>
                </li>
              );
            })}
          </ul>
        </li>
      ) : null}
    </>
  );
}
