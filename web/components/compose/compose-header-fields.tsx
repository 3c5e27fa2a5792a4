"use client";
/**
 * The composer's header fields: From (a choice when the user has identities; choosing one swaps
 * the signature), To with its Cc and Bcc buttons, Cc, Bcc, and the one-line Subject (a line
 * break in it is shown as an error; Enter goes on to the message). Each change clears the send
 * blockers it may fix and schedules the autosave.
 */
import { type MutableRefObject, type RefObject, useId } from "react";
import { type ComposeFieldsState, fromLabel } from "@/hooks/use-compose-fields";
import type { SendBlocker } from "@/lib/compose/draft";
import { t } from "@/lib/i18n";
import { RecipientField, type RecipientValue } from "./recipient-field";
import type { EditorHandle } from "./rich-editor";

export function ComposeHeaderFields({
  fields,
  email,
  editor,
  toInput,
  subjectRef,
  clearBlockers,
  changed,
}: {
  fields: ComposeFieldsState;
  /** The signed-in address, shown when no From choice is loaded. */
  email: string;
  editor: RefObject<EditorHandle | null>;
  toInput: MutableRefObject<HTMLInputElement | null>;
  subjectRef: RefObject<HTMLTextAreaElement | null>;
  clearBlockers(kind?: SendBlocker["kind"]): void;
  changed(): void;
}) {
  const subjectId = useId();
  const fromId = useId();
  const setField = (set: (v: RecipientValue) => void) => (v: RecipientValue) => {
    set(v);
    clearBlockers();
    changed();
  };
  const { to, cc, bcc, subject, showCc, showBcc, fromOptions: options } = fields;
  const fromOption = fields.from;
  const subjectBroken = /[\r\n\0]/.test(subject);

  return (
    <>
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
              <RevealButton
                label={t("compose.addCc")}
                text={t("compose.cc")}
                onClick={fields.revealCc}
              />
            ) : null}
            {!showBcc ? (
              <RevealButton
                label={t("compose.addBcc")}
                text={t("compose.bcc")}
                onClick={fields.revealBcc}
              />
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
            clearBlockers("subjectLineBreak");
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
        <p id={`${subjectId}-error`} className="px-4 pt-1 text-xs text-red-700 dark:text-red-300">
          {t("compose.subjectLineBreak")}
        </p>
      ) : null}
    </>
  );
}

/** The Cc or Bcc button beside To, which reveals its field. */
function RevealButton({ label, text, onClick }: { label: string; text: string; onClick(): void }) {
  return (
    <button
      type="button"
      aria-label={label}
      onClick={onClick}
      className="touch-target rounded-md px-1.5 text-sm text-zinc-600 hover:bg-zinc-200/70 md:min-h-8 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      {text}
    </button>
  );
}
