"use client";
/**
 * The folder dialogs, opened from anywhere through a tiny store (`openFolderDialog`) and shown
 * by one `FolderDialogs` host: a name form (new folder, rename) that checks the name as it is
 * typed with the protocol's rule, the "Move to" picker, the confirmations for deleting a folder
 * (naming how many messages it holds) and for emptying Trash or Junk (final: IMAP cannot undo
 * an expunge), and "Manage folders" to subscribe to or unsubscribe from any folder.
 */
import { folderNameProblem, type TMailbox } from "@ferry/protocol";
import { type FormEvent, type ReactNode, useId, useState, useSyncExternalStore } from "react";
import { folderLabel, roleOf, sortFolders } from "@/hooks/use-mailboxes";
import { reasonOf } from "@/lib/actions";
import { FerryError } from "@/lib/errors";
import {
  createFolder,
  deleteFolder,
  emptyFolder,
  isWithin,
  renameFolder,
  setSubscribed,
} from "@/lib/folders";
import { t } from "@/lib/i18n";
import { showToast } from "@/lib/toasts";
import { ModalDialog } from "./modal-dialog";
import { WaitingNote } from "./waiting-note";

export type FolderDialog =
  | { kind: "create"; parent: TMailbox | null }
  | { kind: "rename"; folder: TMailbox }
  | { kind: "move"; folder: TMailbox }
  | { kind: "delete"; folder: TMailbox }
  | { kind: "empty"; folder: TMailbox }
  | { kind: "manage" };

let current: FolderDialog | null = null;
const listeners = new Set<() => void>();

export function openFolderDialog(dialog: FolderDialog | null): void {
  current = dialog;
  for (const l of listeners) l();
}

function useFolderDialog(): FolderDialog | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
    () => null,
  );
}

/** Inbox and the special-use folders keep their name and place. */
export function isProtectedFolder(m: TMailbox): boolean {
  return roleOf(m) !== null;
}

/** The label of the Empty action for Trash and Junk, or null for other folders. */
export function emptyLabel(m: TMailbox): string | null {
  const role = roleOf(m);
  return role === "trash"
    ? t("folders.emptyTrash")
    : role === "junk"
      ? t("folders.emptyJunk")
      : null;
}

function delimiterOf(all: readonly TMailbox[]): string | null {
  return all.find((m) => m.delimiter !== null)?.delimiter ?? null;
}

const buttonBase =
  "touch-target inline-flex items-center justify-center rounded-lg px-4 text-sm font-medium md:min-h-9";
const secondary = `${buttonBase} text-zinc-700 hover:bg-zinc-200/70 dark:text-zinc-200 dark:hover:bg-zinc-800`;
const primary = `${buttonBase} bg-accent-600 text-white hover:bg-accent-700 disabled:opacity-50`;
const danger = `${buttonBase} bg-red-600 text-white hover:bg-red-700 disabled:opacity-50`;

function Modal(props: { title: string; onClose(): void; children: ReactNode }) {
  return (
    <ModalDialog title={props.title} onClose={props.onClose} width="max-w-md">
      <div className="px-5 py-4">{props.children}</div>
    </ModalDialog>
  );
}

function NameForm(props: {
  title: string;
  submit: string;
  initial: string;
  parent: string | null;
  all: readonly TMailbox[];
  /** The folder being renamed: its own name is not "taken". */
  self?: string;
  onSubmit(name: string): Promise<void>;
  onClose(): void;
}) {
  const [name, setName] = useState(props.initial);
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const delimiter = delimiterOf(props.all);
  const problem = folderNameProblem(name, delimiter, props.parent === null);
  const path = props.parent === null ? name : `${props.parent}${delimiter ?? ""}${name}`;
  const taken = problem === null && path !== props.self && props.all.some((m) => m.path === path);
  const shown = problem
    ? t(`folders.problem.${problem}`, { delimiter: delimiter ?? "" })
    : taken
      ? t("folders.problem.taken")
      : serverError;
  const errorId = useId();
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem || taken || busy) return;
    setBusy(true);
    try {
      await props.onSubmit(name);
      props.onClose();
    } catch (err) {
      setServerError(err instanceof FerryError ? t(`error.${err.code}`) : t("error.internal"));
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form onSubmit={onSubmit} className="space-y-3" noValidate>
        <label className="block text-sm font-medium">
          {t("folders.name")}
          <input
            // The dialog exists to take this name (modal-dialog.tsx focuses it).
            data-autofocus
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setTouched(true);
              setServerError(null);
            }}
            aria-invalid={touched && shown !== null}
            aria-describedby={touched && shown ? errorId : undefined}
            className="mt-1 block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-base dark:border-zinc-700 dark:bg-zinc-950"
          />
        </label>
        {touched && shown ? (
          <p id={errorId} role="alert" className="text-sm text-red-700 dark:text-red-300">
            {shown}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <button type="button" className={secondary} onClick={props.onClose}>
            {t("folders.cancel")}
          </button>
          <button type="submit" className={primary} disabled={busy}>
            {props.submit}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function Confirm(props: {
  title: string;
  body: ReactNode;
  confirm: string;
  onConfirm(): Promise<void>;
  onClose(): void;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <div className="space-y-2 text-sm">{props.body}</div>
      <div className="mt-4 flex justify-end gap-2">
        <button type="button" className={secondary} onClick={props.onClose}>
          {t("folders.cancel")}
        </button>
        <button
          type="button"
          className={danger}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void props.onConfirm().finally(props.onClose);
          }}
        >
          {props.confirm}
        </button>
      </div>
    </Modal>
  );
}

function MovePicker(props: { folder: TMailbox; all: TMailbox[]; onClose(): void }) {
  const { folder } = props;
  const delimiter = folder.delimiter ?? delimiterOf(props.all);
  const targets = sortFolders(props.all).filter(
    (f) =>
      !isWithin(f.mailbox.path, folder.path, delimiter) &&
      f.mailbox.path !== folder.parent &&
      roleOf(f.mailbox) !== "inbox",
  );
  const move = (parent: string | null) => {
    props.onClose();
    void renameFolder(folder, parent, folder.name).catch((err: unknown) =>
      showToast({ text: t("toast.failed", { reason: reasonOf(err) }), tone: "error" }),
    );
  };
  return (
    <Modal title={t("folders.moveTitle", { name: folderLabel(folder) })} onClose={props.onClose}>
      <ul className="max-h-[60vh] space-y-0.5 overflow-y-auto">
        {folder.parent !== null ? (
          <li>
            <button
              type="button"
              className={`${secondary} w-full justify-start`}
              onClick={() => move(null)}
            >
              {t("folders.topLevel")}
            </button>
          </li>
        ) : null}
        {targets.map((f) => (
          <li key={f.mailbox.path}>
            <button
              type="button"
              className={`${secondary} w-full justify-start`}
              style={{ paddingLeft: `${1 + f.depth}rem` }}
              onClick={() => move(f.mailbox.path)}
            >
              {folderLabel(f.mailbox)}
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

function ManageFolders(props: { all: TMailbox[]; onClose(): void }) {
  const entries = sortFolders(props.all);
  return (
    <Modal title={t("folders.manage")} onClose={props.onClose}>
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">{t("folders.manageNote")}</p>
      {/* Nothing kept yet (a sign-in before the socket connects): say what it waits for. */}
      {entries.length === 0 ? (
        <WaitingNote
          connecting={t("waiting.folders")}
          offline={t("waiting.foldersOffline")}
          className="text-sm text-zinc-500"
        />
      ) : null}
      <ul className="max-h-[60vh] space-y-1 overflow-y-auto">
        {entries.map((f) => {
          const m = f.mailbox;
          const always = roleOf(m) === "inbox";
          return (
            <li key={m.path}>
              <label
                className="touch-target flex items-center gap-3 rounded-lg px-2 py-1 text-sm hover:bg-zinc-100 md:min-h-9 dark:hover:bg-zinc-800"
                style={{ paddingLeft: `${0.5 + f.depth}rem` }}
              >
                <input
                  // Uncontrolled, so a click shows at once; a change from the server remounts it.
                  key={String(always || m.subscribed)}
                  type="checkbox"
                  className="size-4 accent-accent-600"
                  defaultChecked={always || m.subscribed}
                  disabled={always}
                  aria-label={t("folders.subscribed", { name: folderLabel(m) })}
                  onChange={(e) => void setSubscribed(m, e.target.checked)}
                />
                <span className="truncate">{folderLabel(m)}</span>
              </label>
            </li>
          );
        })}
      </ul>
    </Modal>
  );
}

/** Hosts whichever folder dialog is open; `all` is every folder, subscribed or not. */
export function FolderDialogs({ all }: { all: TMailbox[] }) {
  const dialog = useFolderDialog();
  const close = () => openFolderDialog(null);
  if (!dialog) return null;
  switch (dialog.kind) {
    case "create": {
      const parent = dialog.parent;
      return (
        <NameForm
          key="create"
          title={
            parent
              ? t("folders.newInsideTitle", { name: folderLabel(parent) })
              : t("folders.newTitle")
          }
          submit={t("folders.create")}
          initial=""
          parent={parent?.path ?? null}
          all={all}
          onSubmit={(name) => createFolder(parent?.path ?? null, name)}
          onClose={close}
        />
      );
    }
    case "rename":
      return (
        <NameForm
          key={`rename:${dialog.folder.path}`}
          title={t("folders.renameTitle", { name: folderLabel(dialog.folder) })}
          submit={t("folders.rename")}
          initial={dialog.folder.name}
          parent={dialog.folder.parent}
          all={all}
          self={dialog.folder.path}
          onSubmit={(name) => renameFolder(dialog.folder, dialog.folder.parent, name)}
          onClose={close}
        />
      );
    case "move":
      return <MovePicker folder={dialog.folder} all={all} onClose={close} />;
    case "delete": {
      const folder = dialog.folder;
      const delimiter = folder.delimiter ?? delimiterOf(all);
      const inside = all.filter((m) => isWithin(m.path, folder.path, delimiter));
      const messages = inside.reduce((n, m) => n + (m.messages ?? 0), 0);
      const children = inside.length - 1;
      return (
        <Confirm
          title={t("folders.deleteTitle", { name: folderLabel(folder) })}
          body={
            <>
              <p>
                {messages > 0
                  ? t("folders.deleteBody", { count: messages })
                  : t("folders.deleteBodyEmpty")}
              </p>
              {children > 0 ? <p>{t("folders.deleteChildren", { count: children })}</p> : null}
            </>
          }
          confirm={t("folders.delete")}
          onConfirm={() => deleteFolder(folder)}
          onClose={close}
        />
      );
    }
    case "empty": {
      const folder = dialog.folder;
      const label = folderLabel(folder);
      return (
        <Confirm
          title={t("folders.emptyTitle", { name: label })}
          body={<p>{t("folders.emptyBody", { count: folder.messages ?? 0 })}</p>}
          confirm={t("folders.emptyConfirm")}
          onConfirm={() => emptyFolder(folder, label)}
          onClose={close}
        />
      );
    }
    case "manage":
      return <ManageFolders all={all} onClose={close} />;
  }
}
