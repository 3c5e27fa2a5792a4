"use client";
/**
 * The composer: a dialog named "New message", "Reply" or "Forward", docked at the bottom right
 * on a desktop and full screen on a phone. It loads its prefill first (use-compose-prefill), then
 * lays out the form. The form's work is in hooks: its fields (use-compose-fields), the autosave
 * to Drafts (use-compose-save), uploads (use-compose-attachments), the checks and `compose.send`
 * (use-compose-send; Send later: send-later.tsx), and closing, discarding or being replaced (use-compose-exit).
 */
import {
  type DragEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useComposeAttachments } from "@/hooks/use-compose-attachments";
import { useComposeBack } from "@/hooks/use-compose-back";
import type { SaveStatus } from "@/hooks/use-compose-draft";
import { useComposeExit } from "@/hooks/use-compose-exit";
import { fromLabel, useComposeFields } from "@/hooks/use-compose-fields";
import { type ComposerInit, initialBody, useComposePrefill } from "@/hooks/use-compose-prefill";
import { useComposeSave } from "@/hooks/use-compose-save";
import { useComposeSend } from "@/hooks/use-compose-send";
import { useFileDrop } from "@/hooks/use-file-drop";
import { useIsPhone } from "@/hooks/use-media-query";
import { useUploadLimits } from "@/hooks/use-upload-limits";
import { reasonOf } from "@/lib/actions";
import { type ComposeRequest, composerTitle } from "@/lib/compose/draft";
import { formatBinarySize } from "@/lib/compose/limits";
import { blockerText, problemText } from "@/lib/compose/messages";
import { type ComposerEntry, closeComposer } from "@/lib/compose/store";
import { t } from "@/lib/i18n";
import { CloseIcon, PaperclipIcon, SendIcon, TrashIcon } from "../icons";
import { AttachmentList } from "./attachment-list";
import { AlertIcon, ExpandIcon, MinimizeIcon } from "./compose-icons";
import { RecipientField, type RecipientValue } from "./recipient-field";
import { type EditorHandle, RichEditor } from "./rich-editor";
import { SendLaterButton } from "./send-later";

type Title = ReturnType<typeof composerTitle>;

function titleText(title: Title): string {
  return title === "reply"
    ? t("compose.title.reply")
    : title === "forward"
      ? t("compose.title.forward")
      : t("compose.title.new");
}

function requestTitle(request: ComposeRequest): Title {
  if (request.kind === "new") return "new";
  if (request.kind === "restore") return composerTitle(request.draft.source);
  if (request.mode === "reply" || request.mode === "replyAll") return "reply";
  if (request.mode === "draft") return "new";
  return "forward";
}

// ---------------------------------------------------------------------------------------------
// The frame: dialog, title bar, minimize/close
// ---------------------------------------------------------------------------------------------

interface FrameProps {
  title: Title;
  isPhone: boolean;
  minimized: boolean;
  onMinimize?(): void;
  onClose(): void;
  children: ReactNode;
  onKeyDown?(e: KeyboardEvent<HTMLElement>): void;
  onDragOver?(e: DragEvent<HTMLElement>): void;
  onDragLeave?(e: DragEvent<HTMLElement>): void;
  onDrop?(e: DragEvent<HTMLElement>): void;
}

const headerButton =
  "touch-target inline-flex items-center justify-center rounded-full text-zinc-600 hover:bg-zinc-200/70 md:min-h-8 md:min-w-8 dark:text-zinc-300 dark:hover:bg-zinc-800";

function ComposerFrame(p: FrameProps) {
  const headingId = useId();
  return (
    <section
      role="dialog"
      aria-labelledby={headingId}
      aria-modal={p.isPhone ? true : undefined}
      data-composer=""
      onKeyDown={(e) => {
        p.onKeyDown?.(e);
        // Keys typed here are the composer's: the mail app's single-key shortcuts (on window)
        // must not act on them, even from a button.
        e.stopPropagation();
      }}
      onDragOver={p.onDragOver}
      onDragLeave={p.onDragLeave}
      onDrop={p.onDrop}
      className={
        p.isPhone
          ? "pt-safe pb-safe pl-safe pr-safe fixed inset-0 z-30 flex flex-col bg-white dark:bg-zinc-950"
          : `fixed right-4 bottom-0 z-30 flex w-[min(40rem,calc(100vw-2rem))] flex-col overflow-hidden rounded-t-xl border border-zinc-300 bg-white shadow-2xl dark:border-zinc-700 dark:bg-zinc-950 ${
              p.minimized ? "" : "h-[min(44rem,calc(100dvh-4.5rem))]"
            }`
      }
    >
      <div className="flex shrink-0 items-center gap-1 border-b border-zinc-200 bg-zinc-100 py-1 pr-1 pl-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id={headingId} className="min-w-0 flex-1 truncate text-sm font-semibold">
          {titleText(p.title)}
        </h2>
        {p.onMinimize && !p.isPhone ? (
          <button
            type="button"
            aria-label={p.minimized ? t("compose.expand") : t("compose.minimize")}
            title={p.minimized ? t("compose.expand") : t("compose.minimize")}
            aria-expanded={!p.minimized}
            onClick={p.onMinimize}
            className={headerButton}
          >
            {p.minimized ? <ExpandIcon className="size-4" /> : <MinimizeIcon className="size-4" />}
          </button>
        ) : null}
        <button
          type="button"
          aria-label={t("compose.close")}
          title={t("compose.close")}
          onClick={p.onClose}
          className={headerButton}
        >
          <CloseIcon className="size-5" />
        </button>
      </div>
      {p.children}
    </section>
  );
}

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
  const fileInput = useRef<HTMLInputElement>(null);
  const limits = useUploadLimits();
  const subjectId = useId();
  const fromId = useId();
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
      if (
        opener?.isConnected &&
        (document.activeElement === document.body || document.activeElement === null)
      ) {
        opener.focus();
      }
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

  const setField = (set: (v: RecipientValue) => void) => (v: RecipientValue) => {
    set(v);
    sender.clearBlockers();
    changed();
  };
  const { to, cc, bcc, subject, showCc, showBcc, fromOptions: options } = fields;
  const fromOption = fields.from;
  const subjectBroken = /[\r\n\0]/.test(subject);
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
          <div className="flex min-h-11 items-center gap-2 border-b border-zinc-200 px-4 dark:border-zinc-800">
            <label htmlFor={fromId} className="w-14 shrink-0 text-sm text-zinc-500">
              {t("compose.from")}
            </label>
            {options.length > 1 ? (
              <select
                id={fromId}
                value={fromOption?.key}
                onChange={(e) => {
                  const next = fields.chooseFrom(e.target.value);
                  editor.current?.setSignature(next?.signature ?? "");
                  changed();
                }}
                className="min-w-0 flex-1 truncate bg-transparent py-2 text-sm outline-none"
              >
                {options.map((o) => (
                  <option key={o.key} value={o.key}>
                    {fromLabel(o)}
                  </option>
                ))}
              </select>
            ) : (
              <output id={fromId} className="min-w-0 flex-1 truncate py-2 text-sm">
                {fromOption ? fromLabel(fromOption) : email}
              </output>
            )}
          </div>
          <RecipientField
            label={t("compose.to")}
            value={to}
            onChange={setField(fields.setTo)}
            taken={fields.taken}
            inputRef={(el) => {
              toInput.current = el;
            }}
            trailing={
              <div className="flex shrink-0 items-center gap-0.5 pt-1">
                {!showCc ? (
                  <button
                    type="button"
                    aria-label={t("compose.addCc")}
                    onClick={fields.revealCc}
                    className="touch-target rounded-md px-1.5 text-sm text-zinc-600 hover:bg-zinc-200/70 md:min-h-8 dark:text-zinc-300 dark:hover:bg-zinc-800"
                  >
                    {t("compose.cc")}
                  </button>
                ) : null}
                {!showBcc ? (
                  <button
                    type="button"
                    aria-label={t("compose.addBcc")}
                    onClick={fields.revealBcc}
                    className="touch-target rounded-md px-1.5 text-sm text-zinc-600 hover:bg-zinc-200/70 md:min-h-8 dark:text-zinc-300 dark:hover:bg-zinc-800"
                  >
                    {t("compose.bcc")}
                  </button>
                ) : null}
              </div>
            }
          />
          {showCc ? (
            <RecipientField
              label={t("compose.cc")}
              value={cc}
              onChange={setField(fields.setCc)}
              taken={fields.taken}
            />
          ) : null}
          {showBcc ? (
            <RecipientField
              label={t("compose.bcc")}
              value={bcc}
              onChange={setField(fields.setBcc)}
              taken={fields.taken}
            />
          ) : null}
          <div className="flex min-h-11 items-center gap-2 border-b border-zinc-200 px-4 dark:border-zinc-800">
            <label htmlFor={subjectId} className="w-14 shrink-0 text-sm text-zinc-500">
              {t("compose.subject")}
            </label>
            <textarea
              id={subjectId}
              ref={subjectRef}
              rows={1}
              wrap="off"
              value={subject}
              aria-invalid={subjectBroken || undefined}
              aria-describedby={subjectBroken ? `${subjectId}-error` : undefined}
              onChange={(e) => {
                fields.setSubject(e.target.value);
                sender.clearBlockers("subjectLineBreak");
                changed();
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
                  // one line: Enter goes on to the message
                  e.preventDefault();
                  editor.current?.focus("start");
                }
              }}
              className="min-w-0 flex-1 resize-none overflow-hidden bg-transparent py-2 text-sm leading-6 whitespace-pre outline-none aria-invalid:text-red-700 dark:aria-invalid:text-red-300"
            />
          </div>
          {subjectBroken ? (
            <p
              id={`${subjectId}-error`}
              className="px-4 pt-1 text-xs text-red-700 dark:text-red-300"
            >
              {t("compose.subjectLineBreak")}
            </p>
          ) : null}
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
        <div className="flex shrink-0 items-center gap-1 border-t border-zinc-200 px-3 py-2 dark:border-zinc-800">
          <button
            type="button"
            onClick={() => void send()}
            disabled={sending}
            aria-busy={sending || undefined}
            aria-describedby={messages.length > 0 ? problemsId : undefined}
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
              attachments.add(Array.from(e.target.files ?? []));
              e.target.value = "";
            }}
          />
          <SaveState status={save.status} error={save.error} />
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
        {drop.dragging ? (
          <div className="pointer-events-none absolute inset-0 flex items-center justify-center border-2 border-dashed border-accent-500 bg-accent-50/90 text-sm font-medium text-accent-700 dark:bg-accent-900/90 dark:text-accent-100">
            {t("compose.dropFiles")}
          </div>
        ) : null}
      </div>
    </ComposerFrame>
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
