/**
 * How a composer leaves the screen. Closed, or replaced by another one, it saves its draft to
 * Drafts one last time, or on this device when offline (a toast says so, or offers to reopen a
 * draft that could not be saved), then lets go of its local copy for the next connection to
 * save; unmounted without warning (signed out) it saves nothing. "Discard draft" deletes the copy in
 * Drafts and the uploads. While on screen it registers with the composer store, which asks it
 * to leave, which saved draft it edits, and what it holds for a page about to reload after an
 * update (lib/version-skew).
 */
import { ZComposeDraft } from "@ferry/protocol";
import { useEffect, useRef } from "react";
import type { ComposeAttachments } from "@/hooks/use-compose-attachments";
import type { ComposeSave } from "@/hooks/use-compose-save";
import { reasonOf } from "@/lib/actions";
import { restorableDraft } from "@/lib/compose/local-drafts";
import { refreshComposeFolders } from "@/lib/compose/outbox";
import {
  closeComposer,
  type DraftSnapshot,
  openComposer,
  registerComposer,
} from "@/lib/compose/store";
import { deleteUpload } from "@/lib/compose/uploads";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { showToast } from "@/lib/toasts";

export function useComposeExit(
  entryKey: number,
  save: ComposeSave,
  attachments: ComposeAttachments,
) {
  /** The composer leaves the screen: closed, or replaced by another one; or unmounted. */
  const leave = (reason: "close" | "replace" | "unmount") => {
    if (save.done.current) return;
    save.done.current = "left";
    attachments.abortAll();
    // A draft names uploads only: files kept on this device for it are not kept longer.
    attachments.dropKept();
    // Unmounted without warning (signed out): the editor is gone, nothing can be saved.
    if (reason === "unmount") {
      void save.release();
      return;
    }
    const snapshot = save.build();
    save.freeze(snapshot);
    const ids = attachments.uploadIds();
    void (async () => {
      const saved = await save.flush();
      const hasCopy = save.draftUid() !== null;
      const local = save.savedLocally();
      void save.release();
      if (saved) {
        if (reason === "close" && local) showToast({ text: t("compose.toast.draftSavedLocally") });
        else if (reason === "close" && hasCopy) showToast({ text: t("compose.toast.draftSaved") });
        // The copy in Drafts holds the files now; a resumed draft gets fresh uploads. A copy
        // on this device still names them.
        if (!local && (hasCopy || snapshot.empty)) for (const id of ids) void deleteUpload(id);
        return;
      }
      const parsed = ZComposeDraft.safeParse(snapshot.draft);
      showToast({
        text: t("compose.toast.draftNotSaved"),
        tone: "error",
        durationMs: 30_000,
        ...(parsed.success
          ? {
              action: {
                label: t("compose.toast.openDraft"),
                run: () =>
                  openComposer({
                    kind: "restore",
                    draft: parsed.data,
                    draftUid: save.draftUid(),
                    draftMailbox: save.draftMailbox(),
                    problem: null,
                  }),
              },
            }
          : {}),
      });
    })();
  };
  const leaveRef = useRef(leave);
  leaveRef.current = leave;

  /** What the form holds now, for a page about to reload (lib/version-skew); null when empty. */
  const snapshot = (): DraftSnapshot | null => {
    if (save.done.current) return null;
    const built = save.build();
    if (built.empty || !built.hasEditor) return null;
    const draft = restorableDraft(built.draft);
    if (!draft) return null;
    const localId = save.localId();
    return {
      draft,
      draftUid: save.draftUid(),
      draftMailbox: save.draftMailbox(),
      ...(localId ? { localId } : {}),
    };
  };
  const snapshotRef = useRef(snapshot);
  snapshotRef.current = snapshot;
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(
    () =>
      registerComposer({
        key: entryKey,
        leave: () => leaveRef.current("replace"),
        draftRef: () => {
          const uid = saveRef.current.draftUid();
          const mailbox = saveRef.current.draftMailbox();
          return uid && mailbox ? { mailbox, ...uid } : null;
        },
        snapshot: () => snapshotRef.current(),
        handedOver: () => saveRef.current.stop(),
      }),
    [entryKey],
  );
  // Deferred, so that StrictMode's test unmount (immediately remounted) does not count.
  const unmountTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(unmountTimer.current);
    return () => {
      unmountTimer.current = setTimeout(() => leaveRef.current("unmount"), 0);
    };
  }, []);

  return {
    /** Close, keeping the draft in Drafts. */
    closeAndSave() {
      leave("close");
      closeComposer(entryKey);
    },
    /** Close and delete the draft, from Drafts too. */
    async discard() {
      if (save.done.current) return;
      save.done.current = "discarded";
      save.stop();
      attachments.abortAll();
      attachments.dropKept();
      closeComposer(entryKey);
      await save.settle();
      await save.dropLocal();
      for (const id of attachments.uploadIds()) void deleteUpload(id);
      const uid = save.draftUid();
      const mailbox = save.draftMailbox();
      if (uid && mailbox) {
        try {
          await socket.request({ type: "draft.discard", ref: { mailbox, ...uid } });
        } catch (err) {
          showToast({
            text: t("compose.toast.discardFailed", { reason: reasonOf(err) }),
            tone: "error",
          });
          return;
        }
      }
      showToast({ text: t("compose.toast.discarded") });
      refreshComposeFolders();
    },
  };
}
