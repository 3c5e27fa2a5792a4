/**
 * Sending from the composer: the checks that run first (addresses, a line break in the subject,
 * uploads running or failed, sizes; the first field at fault gets the focus), then the last save
 * to Drafts and `compose.send`, which hands the message to the bridge's undo window, or with a
 * time (Send later) to the bridge until then; the outbox (lib/compose/outbox.ts, scheduled.ts)
 * takes it from there and the composer closes. Offline, Send puts the message in the local
 * Outbox instead (lib/offline-sync), with the files attached offline and kept on this device,
 * sent on the next connection. A refusal stays on screen as the
 * composer's problem until the next try.
 */
import { type RefObject, useState } from "react";
import type { EditorHandle } from "@/components/compose/rich-editor";
import type { ComposeFieldsState } from "@/hooks/use-compose-fields";
import type { ComposeSave } from "@/hooks/use-compose-save";
import {
  type ComposeProblem,
  fitDraft,
  keptFiles,
  type SendBlocker,
  sendBlockers,
  toDraft,
} from "@/lib/compose/draft";
import { sendErrorProblem } from "@/lib/compose/messages";
import { trackSend } from "@/lib/compose/outbox";
import { trackScheduled } from "@/lib/compose/scheduled";
import { useSendDelay } from "@/lib/compose/settings";
import { closeComposer } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { actingOffline, enqueue } from "@/lib/offline-sync";
import { showToast } from "@/lib/toasts";

export function useComposeSend(opts: {
  entryKey: number;
  initialProblem: ComposeProblem | null;
  fields: ComposeFieldsState;
  save: ComposeSave;
  editor: RefObject<EditorHandle | null>;
  /** Where the user fixes a blocker. */
  inputs: {
    to: RefObject<HTMLInputElement | null>;
    subject: RefObject<HTMLTextAreaElement | null>;
  };
}) {
  const { entryKey, fields, save, editor, inputs } = opts;
  const delaySeconds = useSendDelay();
  const [problem, setProblem] = useState<ComposeProblem | null>(opts.initialProblem);
  const [blockers, setBlockers] = useState<SendBlocker[]>([]);
  const [sending, setSending] = useState(false);

  /** Sends now (after the undo window), or at `at` when given (Send later). */
  const send = async (at?: Date) => {
    if (sending || save.done.current) return;
    const f = fields.commitRecipients();
    const offline = !at && actingOffline();
    const found = sendBlockers(f, offline);
    setProblem(null);
    if (found.length > 0) {
      setBlockers(found);
      const first = found[0];
      if (first?.kind === "subjectLineBreak") inputs.subject.current?.focus();
      else if (first?.kind === "invalidRecipients" || first?.kind === "noRecipients")
        inputs.to.current?.focus();
      return;
    }
    setBlockers([]);
    setSending(true);
    try {
      if (offline) {
        const ed = editor.current;
        const draftInput = toDraft(f, ed?.html() ?? "", ed?.text() ?? "");
        const draftUid = save.draftUid();
        const fitted = fitDraft(draftInput, {
          type: "compose.send",
          id: "0",
          delaySeconds,
          draftUid,
        });
        if (!fitted) {
          setProblem({ code: "frame_too_large", rejected: [], detail: null });
          return;
        }
        const files = keptFiles(f.attachments);
        await enqueue({
          type: "compose.send",
          draft: fitted,
          delaySeconds,
          draftUid,
          draftMailbox: save.draftMailbox(),
          ...(files.length > 0 ? { files } : {}),
        });
        save.done.current = "sent";
        save.stop();
        await save.dropLocal();
        showToast({ text: t("offline.sendQueued") });
        closeComposer(entryKey);
        return;
      }
      // Mail sent later keeps its copy in Drafts until it goes: that copy is what was scheduled,
      // also when Send later comes before the autosave's quiet time is over.
      if (at) await save.flush();
      else await save.settle();
      const ed = editor.current;
      const draftInput = toDraft(f, ed?.html() ?? "", ed?.text() ?? "");
      const draftUid = save.draftUid();
      const sendAt = at?.toISOString();
      const fitted = fitDraft(draftInput, {
        type: "compose.send",
        id: "0",
        delaySeconds,
        draftUid,
        ...(sendAt ? { sendAt } : {}),
      });
      if (!fitted) {
        setProblem({ code: "frame_too_large", rejected: [], detail: null });
        return;
      }
      const reply = await socket.request({
        type: "compose.send",
        draft: fitted,
        delaySeconds,
        draftUid,
        ...(sendAt ? { sendAt } : {}),
      });
      save.done.current = "sent";
      save.stop();
      void save.dropLocal();
      const queued = {
        sendId: reply.sendId,
        sendAt: Date.parse(reply.sendAt),
        draftUid,
        draftMailbox: save.draftMailbox(),
      };
      if (sendAt) trackScheduled(queued);
      else trackSend(queued);
      closeComposer(entryKey);
    } catch (err) {
      setProblem(sendErrorProblem(err));
      if (save.dirty()) save.changed();
    } finally {
      setSending(false);
    }
  };

  return {
    send,
    sending,
    problem,
    blockers,
    /** The user changed something: the blockers of `kind` (all when not given) are gone. */
    clearBlockers(kind?: SendBlocker["kind"]) {
      if (kind === undefined) setBlockers([]);
      else setBlockers((b) => b.filter((x) => x.kind !== kind));
    },
  };
}
