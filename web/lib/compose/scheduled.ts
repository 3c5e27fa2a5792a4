/**
 * Send later in the page: the account's scheduled mail as a query (the Scheduled view, the
 * folder pane's count, the sign-out warning), the notice after scheduling ("Scheduled for …"
 * with Undo), and what the Scheduled view does with a message: edit (take it back from the
 * bridge and open its draft in the composer), send now, cancel (take it back and keep the draft
 * in Drafts).
 *
 * The bridge pushes no event when the scheduled list changes, so the list is fetched again when
 * this tab changes it, when a queued message's outcome arrives (`compose.sent`, `compose.failed`),
 * when the socket (re)opens and when the tab comes back into view or focus: another tab's or
 * device's change shows then.
 */
import type { TMailbox, TScheduledMessage, TUidRef } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { findByRole } from "@/hooks/use-mailboxes";
import { reasonOf } from "../actions";
import { FerryError } from "../errors";
import { formatFullDate, t } from "../i18n";
import { keys, queryClient, socket } from "../mail-client";
import { onSessionEnd } from "../session";
import { showToast } from "../toasts";
import { openComposer } from "./store";

export const scheduledKey = ["scheduled"] as const;

/** Only "later" messages are the user's scheduled mail; "undo" ones are in their undo window. */
async function fetchScheduled(timeoutMs?: number): Promise<TScheduledMessage[]> {
  const reply = await socket.request(
    { type: "scheduled.list" },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
  return reply.messages.filter((m) => m.kind === "later");
}

function refresh(): void {
  void queryClient.invalidateQueries({ queryKey: scheduledKey });
}

let listening = false;

function listen(): void {
  if (listening || typeof window === "undefined") return;
  listening = true;
  socket.onEvent((e) => {
    if (e.type === "compose.sent" || e.type === "compose.failed") refresh();
  });
  socket.onOpen(refresh);
  window.addEventListener("focus", refresh);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  onSessionEnd(() => queryClient.removeQueries({ queryKey: scheduledKey }));
}

/** The account's scheduled messages, by the time they go. */
export function useScheduled() {
  listen();
  return useQuery({ queryKey: scheduledKey, queryFn: () => fetchScheduled() });
}

/** The scheduled messages as the bridge has them now (for the sign-out warning). */
export async function scheduledNow(timeoutMs: number): Promise<TScheduledMessage[]> {
  listen();
  return queryClient.fetchQuery({
    queryKey: scheduledKey,
    queryFn: () => fetchScheduled(timeoutMs),
    staleTime: 0,
  });
}

/** "Monday, December 7, 2026 at 8:00 AM" in the user's time zone. */
export function formatSendTime(at: number | string): string {
  return formatFullDate(new Date(at).toISOString());
}

function draftsMailbox(): string | null {
  return findByRole(queryClient.getQueryData<TMailbox[]>(keys.mailboxes), "drafts")?.path ?? null;
}

/**
 * After `compose.queued` for a send later: the notice saying when it goes, with Undo, which
 * takes the message back and opens it in the composer again.
 */
export function trackScheduled(send: {
  sendId: string;
  sendAt: number;
  draftUid: TUidRef | null;
  draftMailbox: string | null;
}): void {
  listen();
  refresh();
  showToast({
    text: t("compose.later.scheduled", { time: formatSendTime(send.sendAt) }),
    durationMs: 10_000,
    action: {
      label: t("action.undo"),
      run: async () => {
        const draft = await takeBack(send.sendId);
        if (!draft) return;
        openComposer({
          kind: "restore",
          draft,
          draftUid: send.draftUid,
          draftMailbox: send.draftMailbox,
          problem: null,
        });
      },
    },
  });
}

/** Cancels the job; its draft, or null (the user was told why). */
async function takeBack(sendId: string) {
  try {
    const reply = await socket.requestNow({ type: "compose.cancel", sendId });
    return reply.draft;
  } catch (err) {
    showToast({
      tone: "error",
      text:
        err instanceof FerryError && err.code === "already_sent"
          ? t("compose.later.tooLate")
          : t("compose.later.cancelFailed", { reason: reasonOf(err) }),
    });
    return null;
  } finally {
    refresh();
  }
}

/** Edit: no longer scheduled, and its draft in the composer (replacing its copy in Drafts). */
export async function editScheduled(m: TScheduledMessage): Promise<void> {
  const draft = await takeBack(m.sendId);
  if (!draft) return;
  const mailbox = m.draftUid ? draftsMailbox() : null;
  openComposer({
    kind: "restore",
    draft,
    draftUid: mailbox ? m.draftUid : null,
    draftMailbox: mailbox,
    problem: null,
  });
}

/** Cancel: it is not sent; its draft stays in Drafts (saved there now if it had no copy). */
export async function cancelScheduled(m: TScheduledMessage): Promise<void> {
  const draft = await takeBack(m.sendId);
  if (!draft) return;
  if (m.draftUid === null) {
    await socket.request({ type: "draft.save", draft }).catch(() => undefined);
  }
  showToast({ text: t("compose.later.cancelled") });
}

/** Sends a scheduled message now; the outcome comes as for any send. */
export async function sendScheduledNow(m: TScheduledMessage): Promise<void> {
  try {
    await socket.requestNow({ type: "scheduled.sendNow", sendId: m.sendId });
    showToast({ text: t("compose.toast.sending") });
  } catch (err) {
    showToast({
      tone: "error",
      text: t("compose.later.sendNowFailed", { reason: reasonOf(err) }),
    });
  } finally {
    refresh();
  }
}
