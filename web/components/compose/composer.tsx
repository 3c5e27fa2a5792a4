"use client";
/**
 * The composer: it loads its prefill first (use-compose-prefill), then lays out the form in its
 * frame (composer-frame.tsx): the header fields (compose-header-fields.tsx), the message
 * (rich-editor.tsx), the attachments, the problems that stop a send, and the bottom bar
 * (compose-toolbar.tsx). The form's work is in hooks: its fields (use-compose-fields), the
 * autosave to Drafts (use-compose-save), uploads (use-compose-attachments), the checks and
 * `compose.send` (use-compose-send; Send later: send-later.tsx), and closing, discarding or
 * being replaced (use-compose-exit). Here: where the focus starts and goes back to, and the
 * composer's keys (Ctrl+Enter sends, Escape closes).
 */
import {
  type KeyboardEvent,
  useCallback,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useComposeAttachments } from "@/hooks/use-compose-attachments";
import { useComposeBack } from "@/hooks/use-compose-back";
import { useComposeExit } from "@/hooks/use-compose-exit";
import { useComposeFields } from "@/hooks/use-compose-fields";
import { type ComposerInit, initialBody, useComposePrefill } from "@/hooks/use-compose-prefill";
import { useComposeSave } from "@/hooks/use-compose-save";
import { useComposeSend } from "@/hooks/use-compose-send";
import { useFileDrop } from "@/hooks/use-file-drop";
import { useIsPhone } from "@/hooks/use-media-query";
import { reasonOf } from "@/lib/actions";
import { composerTitle } from "@/lib/compose/draft";
import { blockerText, problemText } from "@/lib/compose/messages";
import { type ComposerEntry, closeComposer } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { AttachmentList } from "./attachment-list";
import { ComposeHeaderFields } from "./compose-header-fields";
import { AlertIcon } from "./compose-icons";
import { ComposeToolbar } from "./compose-toolbar";
import { ComposerFrame, requestTitle } from "./composer-frame";
import { type EditorHandle, RichEditor } from "./rich-editor";

// ---------------------------------------------------------------------------------------------
// Loading the prefill
// ---------------------------------------------------------------------------------------------

export function Composer({ entry, email }: { entry: ComposerEntry; email: string }) {
  const { request, key } = entry;
  const isPhone = useIsPhone();
  const { init, loadError } = useComposePrefill(request, email);
  const close = useCallback(() => closeComposer(key), [key]);

  if (!init) {
    return (
      <ComposerFrame
        title={requestTitle(request)}
        isPhone={isPhone}
        minimized={false}
        onClose={close}
      >
        {loadError ? (
          <p
            role="alert"
            className="m-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {t("compose.loadFailed", { reason: reasonOf(loadError) })}
          </p>
        ) : (
          <div
            role="status"
            aria-busy="true"
            aria-label={t("compose.loading")}
            className="space-y-2 p-4"
          >
            <div className="h-3 w-2/3 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
            <div className="h-3 w-1/2 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
            <div className="h-3 w-3/4 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
          </div>
        )}
      </ComposerFrame>
    );
  }
  return <ComposerForm entryKey={key} email={email} init={init} isPhone={isPhone} />;
}

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

function ComposerForm({
  entryKey,
  email,
  init,
  isPhone,
}: {
  entryKey: number;
  email: string;
  init: ComposerInit;
  isPhone: boolean;
}) {
  const draft = init.draft;
  const title = composerTitle(draft?.source ?? null);
  const editor = useRef<EditorHandle>(null);
  const toInput = useRef<HTMLInputElement | null>(null);
  const subjectRef = useRef<HTMLTextAreaElement>(null);
  const problemsId = useId();
  const [minimized, setMinimized] = useState(false);

  const fields = useComposeFields(draft, email);
  const save = useComposeSave(init, fields, editor);
  const sender = useComposeSend({
    entryKey,
    initialProblem: init.problem,
    fields,
    save,
    editor,
    inputs: { to: toInput, subject: subjectRef },
  });
  const attachments = useComposeAttachments({
    fields,
    save,
    onAdding: () => sender.clearBlockers("uploading"),
  });
  const { closeAndSave, discard } = useComposeExit(entryKey, save, attachments);
  useComposeBack(entryKey, isPhone, closeAndSave);
  const drop = useFileDrop(attachments.add);
  const { send, sending } = sender;
  const changed = save.changed;

  const initialHtml = useMemo(
    () => initialBody(init, fields.from?.signature ?? ""),
    // the body is set once
    [],
  );

  // ---- focus: where the user starts; back where they were when it closes ----------------------
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (title === "reply" || (draft && draft.to.length > 0)) editor.current?.focus("start");
    else toInput.current?.focus();
    return () => {
      // This runs before the composer leaves the page, so the focus is usually still in it (its
      // close button, Send, a field): that too is focus about to be lost.
      const active = document.activeElement;
      const lost =
        active === null || active === document.body || !!active.closest("[data-composer]");
      if (opener?.isConnected && lost) opener.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
      return;
    }
    if (e.key === "Escape" && !e.defaultPrevented) {
      e.preventDefault();
      closeAndSave();
    }
  };

  const messages: string[] = [
    ...(sender.problem ? [problemText(sender.problem)] : []),
    ...sender.blockers.map(blockerText),
    ...attachments.errors,
  ];

  return (
    <ComposerFrame
      title={title}
      isPhone={isPhone}
      minimized={minimized}
      onMinimize={() => setMinimized((m) => !m)}
      onClose={closeAndSave}
      onKeyDown={onKeyDown}
      onDragOver={drop.onDragOver}
      onDragLeave={drop.onDragLeave}
      onDrop={drop.onDrop}
    >
      <div hidden={minimized} className="relative flex min-h-0 flex-1 flex-col">
        <div className="flex min-h-0 flex-1 flex-col overflow-y-auto">
          <ComposeHeaderFields
            fields={fields}
            email={email}
            editor={editor}
            toInput={toInput}
            subjectRef={subjectRef}
            clearBlockers={sender.clearBlockers}
            changed={changed}
          />
          <RichEditor
            ref={editor}
            label={t("compose.message")}
            initialHtml={initialHtml}
            inlineImages={init.inlineImages}
            onChange={changed}
            onFiles={attachments.add}
            onImages={(files) =>
              attachments.add(files, {
                inline: true,
                onUploaded: (uploadId, file) =>
                  editor.current?.insertImage(uploadId, file, file.name),
              })
            }
          />
          {fields.attachments.length > 0 || attachments.errors.length > 0 ? (
            <AttachmentList items={fields.attachments} onRemove={attachments.remove} />
          ) : null}
        </div>
        {messages.length > 0 ? (
          <div
            id={problemsId}
            role="alert"
            className="flex shrink-0 gap-2 border-t border-red-200 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
          >
            <AlertIcon className="mt-0.5 size-4 shrink-0" />
            <div className="min-w-0 flex-1 space-y-1">
              {messages.map((m) => (
                <p key={m}>{m}</p>
              ))}
            </div>
          </div>
        ) : null}
        <ComposeToolbar
          send={send}
          sending={sending}
          describedBy={messages.length > 0 ? problemsId : undefined}
          onFiles={(files) => attachments.add(files)}
          saveStatus={save.status}
          saveError={save.error}
          discard={discard}
        />
        {drop.dragging ? (
          <div className="pointer-events-none absolute inset-0 flex items-center justify-center border-2 border-dashed border-accent-500 bg-accent-50/90 text-sm font-medium text-accent-700 dark:bg-accent-900/90 dark:text-accent-100">
            {t("compose.dropFiles")}
          </div>
        ) : null}
      </div>
    </ComposerFrame>
  );
}
