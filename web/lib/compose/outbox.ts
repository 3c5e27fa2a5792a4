/**
 * Messages the bridge holds for the undo window. After `compose.queued` the composer hands the
 * message over here: a "Sending…" notice with Undo until `sendAt`, then "Message sent" when the
 * bridge pushes `compose.sent`. Undo (`compose.cancel`) and a failed send (`compose.failed`)
 * both put the message back in the composer, with its saved draft, so nothing is lost.
 */
import type { TMailbox, TServerFrameOf, TSpecialUse, TUidRef } from "@ferry/protocol";
import { reasonOf } from "../actions";
import { FerryError } from "../errors";
import { t } from "../i18n";
import { keys, queryClient, socket } from "../mail-client";
import { dismissToast, showToast } from "../toasts";
import type { ComposeProblem } from "./draft";
import { openComposer } from "./store";

export interface PendingSend {
  sendId: string;
  sendAt: number;
  draftUid: TUidRef | null;
  draftMailbox: string | null;
}

interface Tracked extends PendingSend {
  toast: number | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const pending = new Map<string, Tracked>();

function showSending(entry: Tracked, withUndo: boolean, durationMs: number): void {
  if (entry.toast !== null) dismissToast(entry.toast);
  entry.toast = showToast({
    text: t("compose.toast.sending"),
    durationMs,
    ...(withUndo ? { action: { label: t("action.undo"), run: () => undoSend(entry.sendId) } } : {}),
  });
}

function forget(sendId: string): Tracked | undefined {
  const entry = pending.get(sendId);
  if (!entry) return undefined;
  pending.delete(sendId);
  clearTimeout(entry.timer);
  if (entry.toast !== null) dismissToast(entry.toast);
  return entry;
}

/** Watch a queued message: Undo until `sendAt`, then wait for the outcome. */
export function trackSend(send: PendingSend): void {
  const entry: Tracked = { ...send, toast: null, timer: undefined };
  pending.set(send.sendId, entry);
  const left = send.sendAt - Date.now();
  // If the outcome never comes (the socket dropped for good), the notice goes after a while.
  const patience = 120_000;
  if (left > 500) {
    showSending(entry, true, left + patience);
    entry.timer = setTimeout(() => {
      if (pending.get(send.sendId) === entry) showSending(entry, false, patience);
    }, left);
  } else {
    showSending(entry, false, patience);
  }
}

/** Undo: take the message back and reopen it in the composer. */
export async function undoSend(sendId: string): Promise<void> {
  const entry = pending.get(sendId);
  if (!entry) return;
  try {
    const reply = await socket.request({ type: "compose.cancel", sendId });
    forget(sendId);
    openComposer({
      kind: "restore",
      draft: reply.draft,
      draftUid: entry.draftUid,
      draftMailbox: entry.draftMailbox,
      problem: null,
    });
  } catch (err) {
    if (err instanceof FerryError && err.code === "already_sent") {
      showToast({ text: t("compose.toast.tooLate") });
    } else {
      showToast({ text: t("compose.toast.undoFailed", { reason: reasonOf(err) }), tone: "error" });
    }
  }
}

function mailboxByRole(role: TSpecialUse): string | null {
  const list = queryClient.getQueryData<TMailbox[]>(keys.mailboxes);
  return list?.find((m) => m.specialUse === role)?.path ?? null;
}

/** The lists of Sent and Drafts changed on the server: refetch them when shown. */
export function refreshComposeFolders(): void {
  for (const role of ["sent", "drafts"] as const) {
    const path = mailboxByRole(role);
    if (path) void queryClient.invalidateQueries({ queryKey: keys.lists(path) });
  }
}

function onSent(e: TServerFrameOf<"compose.sent">): void {
  const entry = forget(e.sendId);
  refreshComposeFolders();
  if (!entry) return;
  showToast({
    text: e.warnings.includes("sent_copy_failed")
      ? t("compose.toast.sentNoCopy")
      : t("compose.toast.sent"),
  });
}

function onFailed(e: TServerFrameOf<"compose.failed">): void {
  const entry = forget(e.sendId);
  const problem: ComposeProblem = {
    code: e.code,
    rejected: e.rejected,
    detail: e.code === "bad_request" ? e.message : null,
  };
  if (entry) {
    openComposer({
      kind: "restore",
      draft: e.draft,
      draftUid: entry.draftUid,
      draftMailbox: entry.draftMailbox,
      problem,
    });
    return;
  }
  // Sent from another tab, or before a reload: offer the message back.
  showToast({
    text: t("compose.toast.failedElsewhere"),
    tone: "error",
    durationMs: 30_000,
    action: {
      label: t("compose.toast.openDraft"),
      run: () =>
        openComposer({
          kind: "restore",
          draft: e.draft,
          draftUid: null,
          draftMailbox: null,
          problem,
        }),
    },
  });
}

let wired = false;

/** Listen for the outcomes of queued messages (once per page). */
export function startOutbox(): void {
  if (wired) return;
  wired = true;
  socket.onEvent((e) => {
    if (e.type === "compose.sent") onSent(e);
    else if (e.type === "compose.failed") onFailed(e);
  });
}

/** Forget every pending message (sign-out: the bridge sends them anyway). */
export function clearOutbox(): void {
  for (const id of [...pending.keys()]) forget(id);
}

/** Messages still waiting for their outcome (tests, the unload warning). */
export function pendingSends(): number {
  return pending.size;
}
