"use client";
/**
 * Signing out, after asking when something would be lost or would outlive the session: an open
 * composer (its last seconds of typing may not be in Drafts yet), mail scheduled to send later
 * and snoozed messages (both still happen at their times: each keeps the password sealed on
 * the bridge; bridge/src/compose/sending.ts, bridge/src/snooze/service.ts). One dialog says all
 * of it and offers to review the scheduled mail first; with nothing to say, it signs out at once.
 * The lists are asked of the bridge at that moment, so a tab that never showed them still tells.
 * What waits in this browser for the network (actions and Outbox messages in the offline queue,
 * drafts written offline) would be deleted with the rest: the dialog counts it from IndexedDB.
 * Offline the bridge is not asked at all, so the dialog opens at once; the bridge is told of the
 * sign-out when the network is back, if this tab is still open.
 */
import { useEffect, useId, useRef, useSyncExternalStore } from "react";
import { scheduledNow } from "@/lib/compose/scheduled";
import { isComposerOpen } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { type QueueSummary, readQueueSummary } from "@/lib/offline-queue";
import { actingOffline } from "@/lib/offline-sync";
import { navigate } from "@/lib/route";
import { signOut } from "@/lib/session";
import { snoozedCount } from "@/lib/snooze";

interface Asking {
  composer: boolean;
  /** null: the bridge could not be asked. */
  scheduled: number | null;
  snoozed: number;
  /** What waits in this browser for the network. */
  queue: QueueSummary;
}

/** Something only this browser holds would be lost. */
function losesLocal(a: Asking): boolean {
  return a.queue.actions + a.queue.sends + a.queue.drafts.length > 0;
}

/** "2 actions and 1 message in the Outbox have not been sent…", or null when none wait. */
export function unsentText(queue: Pick<QueueSummary, "actions" | "sends">): string | null {
  const parts = [
    ...(queue.actions > 0 ? [t("signOut.actions", { count: queue.actions })] : []),
    ...(queue.sends > 0 ? [t("signOut.outbox", { count: queue.sends })] : []),
  ];
  const [first, second] = parts;
  if (first === undefined) return null;
  const what = second === undefined ? first : t("signOut.and", { first, second });
  return t("signOut.unsent", { what, count: queue.actions + queue.sends });
}

/** How long sign-out waits for the bridge to list scheduled mail before saying it could not. */
const ASK_TIMEOUT_MS = 5000;

let asking: Asking | null = null;
const listeners = new Set<() => void>();

function setAsking(next: Asking | null): void {
  asking = next;
  for (const l of listeners) l();
}

async function countOf(fetch: () => Promise<unknown[]>): Promise<number | null> {
  try {
    return (await fetch()).length;
  } catch {
    return null;
  }
}

/** Sign out, first telling the user what it means when there is anything to tell. */
export async function signOutAfterAsking(): Promise<void> {
  const offline = actingOffline();
  const [scheduled, snoozed, queue] = await Promise.all([
    offline ? null : countOf(() => scheduledNow(ASK_TIMEOUT_MS)),
    offline ? 0 : snoozedCount(),
    readQueueSummary().catch(() => ({ actions: 0, sends: 0, drafts: [] })),
  ]);
  const next: Asking = { composer: isComposerOpen(), scheduled, snoozed, queue };
  if (!next.composer && scheduled === 0 && snoozed === 0 && !losesLocal(next)) {
    void signOutNow();
    return;
  }
  setAsking(next);
}

/** Signs out; offline, the bridge hears of it once the network is back (lib/session). */
async function signOutNow(): Promise<void> {
  await signOut();
}

export function SignOutDialog() {
  const current = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => asking,
    () => asking,
  );
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const d = ref.current;
    if (current && d && !d.open) d.showModal();
  }, [current]);

  if (!current) return null;
  const close = () => {
    ref.current?.close();
    setAsking(null);
  };
  const button =
    "touch-target rounded-lg px-3 text-sm font-medium hover:bg-zinc-200/70 md:min-h-9 dark:hover:bg-zinc-800";
  return (
    <dialog
      ref={ref}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onClose={() => setAsking(null)}
      className="m-auto w-full max-w-md rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="space-y-3 p-5">
        <h2 id={titleId} className="text-lg font-semibold">
          {t("signOut.title")}
        </h2>
        <div id={bodyId} className="space-y-2 text-sm">
          {current.composer ? <p>{t("signOut.composer")}</p> : null}
          {current.scheduled ? <p>{t("signOut.scheduled", { count: current.scheduled })}</p> : null}
          {current.snoozed ? <p>{t("snooze.signOut", { count: current.snoozed })}</p> : null}
          {unsentText(current.queue) ? <p>{unsentText(current.queue)}</p> : null}
          {current.queue.drafts.length > 0 ? (
            <p>{t("signOut.localDrafts", { count: current.queue.drafts.length })}</p>
          ) : null}
          {current.scheduled === null ? <p>{t("signOut.unknown")}</p> : null}
        </div>
        <div className="flex flex-wrap justify-end gap-2">
          {current.scheduled ? (
            <button
              type="button"
              className={button}
              onClick={() => {
                close();
                navigate({ view: "scheduled", msg: null, q: null });
              }}
            >
              {t("signOut.review")}
            </button>
          ) : null}
          <button type="button" className={button} onClick={close}>
            {t("signOut.stay")}
          </button>
          <button
            type="button"
            className="touch-target rounded-lg bg-accent-600 px-4 text-sm font-semibold text-white hover:bg-accent-700 md:min-h-9"
            onClick={() => {
              close();
              void signOutNow();
            }}
          >
            {losesLocal(current) ? t("signOut.anyway") : t("signOut.button")}
          </button>
        </div>
      </div>
    </dialog>
  );
}
