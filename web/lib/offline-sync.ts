/**
 * Acting offline, wired to the page: whether an action should wait in the queue
 * (lib/offline-queue) instead of going out, and the replay of that queue on every connection,
 * with what the user is told (how many changes were synced; each one dropped, and why). A
 * message from the Outbox goes through the normal undo window (lib/compose/outbox trackSend),
 * after the files attached to it offline are uploaded (lib/compose/offline-files).
 * After the queue, drafts written offline are saved to Drafts (lib/compose/local-drafts).
 */
import { ZComposeDraft } from "@ferry/protocol";
import { reasonOf } from "./actions";
import { syncLocalDrafts, webDraftLocks } from "./compose/local-drafts";
import { KeptFileMissing, removeKeptFiles, uploadKeptFiles } from "./compose/offline-files";
import { refreshComposeFolders, trackSend } from "./compose/outbox";
import { openComposer } from "./compose/store";
import { uploadFile } from "./compose/uploads";
import { t } from "./i18n";
import { keys, queryClient, socket } from "./mail-client";
import {
  type Dropped,
  enqueue,
  offlineStore,
  type QueuedOp,
  type QueuedSend,
  replayQueue,
  withQueueLock,
} from "./offline-queue";
import { showToast } from "./toasts";

/** True when a request made now would not reach the bridge: the action waits in the queue. */
export function actingOffline(): boolean {
  if (typeof navigator !== "undefined" && navigator.onLine === false) return true;
  return socket.getStatus() !== "online";
}

export { enqueue };

async function apply(op: QueuedOp): Promise<void> {
  if (op.type === "compose.send") {
    const reply = await socket.request({
      type: "compose.send",
      draft: op.draft,
      delaySeconds: op.delaySeconds,
      draftUid: op.draftUid,
    });
    trackSend({
      sendId: reply.sendId,
      sendAt: Date.parse(reply.sendAt),
      draftUid: op.draftUid,
      draftMailbox: op.draftMailbox,
    });
    return;
  }
  const { attempts: _attempts, ...frame } = op;
  if (frame.type === "flags.update") {
    await socket.request(frame);
    return;
  }
  const reply =
    frame.type === "messages.archive"
      ? await socket.request(frame)
      : frame.type === "messages.delete"
        ? await socket.request(frame)
        : frame.type === "messages.move"
          ? await socket.request(frame)
          : await socket.request(frame);
  void queryClient.invalidateQueries({ queryKey: keys.lists(frame.set.mailbox) });
  if (reply.to) void queryClient.invalidateQueries({ queryKey: keys.lists(reply.to) });
}

/** Uploads the files `op` kept on this device; the message then names the uploads. */
async function uploadKept(op: QueuedSend): Promise<QueuedSend> {
  const { files, ...rest } = op;
  const added = await uploadKeptFiles(
    files ?? [],
    (blob, filename) => uploadFile(blob, filename, () => undefined).promise,
  );
  return {
    ...rest,
    draft: { ...op.draft, attachments: [...(op.draft.attachments ?? []), ...added] },
  };
}

function uploadedKept(op: QueuedSend): Promise<void> {
  return removeKeptFiles((op.files ?? []).map((f) => f.fileId));
}

/** Puts a message from the Outbox back in the composer, so nothing typed is lost. */
function reopen(op: QueuedSend): void {
  const draft = ZComposeDraft.safeParse(op.draft);
  if (!draft.success) return;
  openComposer({
    kind: "restore",
    draft: draft.data,
    draftUid: op.draftUid,
    draftMailbox: op.draftMailbox,
    problem: null,
  });
}

function dropped(d: Dropped): void {
  if (d.reason === "interrupted") {
    reopen(d.op);
    showToast({ text: t("offline.sendInterrupted"), tone: "error", durationMs: 15_000 });
    return;
  }
  if (d.op.type === "compose.send" && d.op.files?.length) void uploadedKept(d.op);
  const reason =
    d.reason === "refused"
      ? d.error instanceof KeptFileMissing
        ? t("offline.keptFileMissing", { name: d.error.filename })
        : reasonOf(d.error)
      : t("error.connection_lost");
  const text =
    d.op.type === "compose.send"
      ? t("offline.sendDropped", { reason })
      : t("offline.dropped", { reason });
  showToast({ text, tone: "error", durationMs: 15_000 });
  if (d.op.type === "compose.send" && d.reason === "refused") {
    reopen(d.op);
  }
}

/** One replay of the queue, then of the drafts written offline, under the queue's lock. */
function replayOnce(): Promise<void> {
  return withQueueLock(async () => {
    const applied = await replayQueue(offlineStore, {
      apply,
      upload: uploadKept,
      uploaded: uploadedKept,
      dropped,
      online: () => !actingOffline(),
    });
    if (applied > 0) showToast({ text: t("offline.synced", { count: applied }) });
    const drafts = await syncLocalDrafts(offlineStore, webDraftLocks, {
      save: (d) =>
        socket.request(
          { type: "draft.save", draft: d.draft, replaceUid: d.replaceUid },
          { timeoutMs: 180_000 },
        ),
      refused: (_d, error) =>
        showToast({
          text: t("offline.draftRefused", { reason: reasonOf(error) }),
          tone: "error",
          durationMs: 15_000,
        }),
      online: () => !actingOffline(),
    });
    if (drafts > 0) {
      refreshComposeFolders();
      showToast({ text: t("offline.draftsSynced", { count: drafts }) });
    }
  });
}

let replaying: Promise<void> | null = null;
let again = false;

/**
 * Sends what waits in the queue, if this tab is online; one tab at a time. Asked again while a
 * replay runs, it replays once more after it: coming back online, the browser's "online" event
 * starts a replay that may find the socket not yet open and stop, and the socket's hello comes
 * while that replay is still reading the queue.
 */
export function replayOffline(): Promise<void> {
  if (replaying) {
    again = true;
    return replaying;
  }
  replaying = (async () => {
    do {
      again = false;
      await replayOnce().catch(() => undefined);
    } while (again);
  })().finally(() => {
    replaying = null;
  });
  return replaying;
}

/**
 * Replays the queue on every connection, when the browser is back online on a socket that
 * stayed open, and now if connected. Returns the unsubscribe.
 */
export function startOfflineSync(): () => void {
  const off = socket.onOpen(() => void replayOffline());
  const onOnline = () => void replayOffline();
  window.addEventListener("online", onOnline);
  if (!actingOffline()) void replayOffline();
  return () => {
    off();
    window.removeEventListener("online", onOnline);
  };
}
