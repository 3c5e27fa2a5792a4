"use client";
/**
 * The composer: a dialog named "New message", "Reply" or "Forward", docked at the bottom right
 * on a desktop and full screen on a phone. It loads its prefill first (reply, forward, a draft
 * from the Drafts folder) with `compose.context`, then shows the form.
 *
 * The form autosaves to Drafts a few seconds after each change (use-compose-draft), uploads
 * attachments over HTTP with progress, and on Send checks what it can (addresses, line breaks,
 * uploads, sizes) before `compose.send` hands the message to the bridge's undo window; the
 * outbox takes it from there. Closing keeps the draft in Drafts; "Discard draft" deletes it.
 */
import {
  emptyDraft,
  type TComposeDraft,
  type TComposeDraftInput,
  type TIdentity,
  type TUidRef,
  ZComposeAddress,
  ZComposeDraft,
} from "@ferry/protocol";
import {
  type DragEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useIdentities } from "@/hooks/use-compose";
import { type SaveStatus, useDraftAutosave } from "@/hooks/use-compose-draft";
import { useIsPhone } from "@/hooks/use-media-query";
import { reasonOf } from "@/lib/actions";
import { fromComposeAddresses, parseRecipients } from "@/lib/compose/addresses";
import {
  type ComposeAttachmentItem,
  type ComposeFields,
  type ComposeProblem,
  type ComposeRequest,
  composerTitle,
  fitDraft,
  isEmptyDraft,
  refuseFile,
  type SendBlocker,
  sendBlockers,
  toDraft,
} from "@/lib/compose/draft";
import { signatureHtml, textToHtml } from "@/lib/compose/html";
import { formatBinarySize, MAX_FILE_BYTES, MAX_MESSAGE_BYTES } from "@/lib/compose/limits";
import {
  blockerText,
  problemText,
  refusalText,
  sendErrorProblem,
  uploadErrorText,
} from "@/lib/compose/messages";
import { refreshComposeFolders, trackSend } from "@/lib/compose/outbox";
import { useSendDelay } from "@/lib/compose/settings";
import {
  type ComposerEntry,
  closeComposer,
  type DraftSnapshot,
  openComposer,
  registerComposer,
} from "@/lib/compose/store";
import { deleteUpload, type UploadHandle, uploadFile } from "@/lib/compose/uploads";
import { t } from "@/lib/i18n";
import { socket } from "@/lib/mail-client";
import { showToast } from "@/lib/toasts";
import { CloseIcon, PaperclipIcon, SendIcon, TrashIcon } from "../icons";
import { AttachmentList } from "./attachment-list";
import { AlertIcon, ExpandIcon, MinimizeIcon } from "./compose-icons";
import { RecipientField, type RecipientValue } from "./recipient-field";
import { type EditorHandle, RichEditor } from "./rich-editor";

/** Everything the form starts from. */
interface ComposerInit {
  draft: TComposeDraft | null;
  draftUid: TUidRef | null;
  draftMailbox: string | null;
  problem: ComposeProblem | null;
  /** New messages, replies and forwards get the From identity's signature. */
  withSignature: boolean;
  /** Save at once (a draft that came back from the outbox). */
  saveNow: boolean;
}

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
  const [init, setInit] = useState<ComposerInit | null>(() => {
    if (request.kind === "new") {
      const to = request.to ?? [];
      return {
        draft: to.length
          ? {
              ...emptyDraft({ name: "", address: email }),
              to: to.filter((r) => r.valid).map((r) => ({ name: r.name, address: r.address })),
            }
          : null,
        draftUid: null,
        draftMailbox: null,
        problem: null,
        withSignature: true,
        saveNow: false,
      };
    }
    if (request.kind === "restore") {
      return {
        draft: request.draft,
        draftUid: request.draftUid,
        draftMailbox: request.draftMailbox,
        problem: request.problem,
        withSignature: false,
        saveNow: true,
      };
    }
    return null;
  });
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    if (request.kind !== "context") return;
    let cancelled = false;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    socket
      .request(
        {
          type: "compose.context",
          ref: request.ref,
          mode: request.mode,
          ...(timeZone ? { timeZone } : {}),
        },
        { timeoutMs: 120_000 },
      )
      .then(
        (reply) => {
          if (cancelled) return;
          setInit({
            draft: reply.draft,
            draftUid: reply.draftUid,
            draftMailbox: reply.draftUid ? request.ref.mailbox : null,
            problem: null,
            withSignature: request.mode !== "draft",
            saveNow: false,
          });
        },
        (err: unknown) => {
          if (!cancelled) setLoadError(err);
        },
      );
    return () => {
      cancelled = true;
    };
  }, [request]);

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

interface FromOption {
  key: string;
  identityId: string | null;
  name: string;
  address: string;
  signature: string;
}

function fromOptions(email: string, identities: TIdentity[]): FromOption[] {
  const own = identities.find((i) => i.address.toLowerCase() === email.toLowerCase());
  const options: FromOption[] = own
    ? []
    : [{ key: "self", identityId: null, name: "", address: email, signature: "" }];
  for (const i of identities) {
    options.push({
      key: i.id,
      identityId: i.id,
      name: i.name,
      address: i.address,
      signature: i.signature,
    });
  }
  return options;
}

function pickOption(
  options: FromOption[],
  from: { address: string },
  identityId: string | null,
  exact = false,
): FromOption | undefined {
  return (
    options.find((o) => identityId !== null && o.identityId === identityId) ??
    options.find((o) => o.address.toLowerCase() === from.address.toLowerCase()) ??
    (exact ? undefined : options[0])
  );
}

function fromLabel(o: { name: string; address: string }): string {
  return o.name ? `${o.name} <${o.address}>` : o.address;
}

let nextAttachmentKey = 1;

function commitText(v: RecipientValue): RecipientValue {
  return v.text.trim() === "" ? v : { chips: [...v.chips, ...parseRecipients(v.text)], text: "" };
}

function initialBody(init: ComposerInit, signature: string): string {
  const d = init.draft;
  let html = d?.html ?? (d?.text ? textToHtml(d.text) : "");
  if (html.trim() === "") html = "<div><br></div>";
  if (init.withSignature && signature.trim() !== "") {
    // after the first (empty) line, before any quote
    const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
    const holder = doc.createElement("div");
    holder.innerHTML = signatureHtml(signature);
    const block = holder.firstElementChild;
    const first = doc.body.firstElementChild;
    if (block) {
      if (first?.nextSibling) doc.body.insertBefore(block, first.nextSibling);
      else doc.body.appendChild(block);
    }
    html = doc.body.innerHTML;
  }
  return html;
}

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
  const identities = useIdentities();
  const draft = init.draft;
  const title = composerTitle(draft?.source ?? null);
  const delaySeconds = useSendDelay();
  const initialFrom = draft?.from ?? null;
  const initialIdentity = draft?.identityId ?? null;
  const options = useMemo(() => {
    const list = fromOptions(email, identities.data ?? []);
    // A draft from an address not (or not yet) among the identities keeps its From.
    if (initialFrom && !pickOption(list, initialFrom, initialIdentity, true)) {
      list.push({
        key: "draft",
        identityId: initialIdentity,
        name: initialFrom.name,
        address: initialFrom.address,
        signature: "",
      });
    }
    return list;
  }, [email, identities.data, initialFrom, initialIdentity]);
  // Until the user picks one, the From follows the draft (identities may arrive later).
  const [fromKey, setFromKey] = useState<string | null>(null);
  const fromOption =
    (fromKey === null
      ? pickOption(options, initialFrom ?? { address: email }, initialIdentity)
      : options.find((o) => o.key === fromKey)) ?? options[0];
  const [to, setTo] = useState<RecipientValue>(() => ({
    chips: fromComposeAddresses(draft?.to ?? []),
    text: "",
  }));
  const [cc, setCc] = useState<RecipientValue>(() => ({
    chips: fromComposeAddresses(draft?.cc ?? []),
    text: "",
  }));
  const [bcc, setBcc] = useState<RecipientValue>(() => ({
    chips: fromComposeAddresses(draft?.bcc ?? []),
    text: "",
  }));
  const [showCc, setShowCc] = useState(() => (draft?.cc.length ?? 0) > 0);
  const [showBcc, setShowBcc] = useState(() => (draft?.bcc.length ?? 0) > 0);
  const [subject, setSubject] = useState(() => draft?.subject ?? "");
  const [attachments, setAttachments] = useState<ComposeAttachmentItem[]>(() =>
    (draft?.attachments ?? []).map((attachment) => ({
      kind: "existing",
      key: `a${nextAttachmentKey++}`,
      attachment,
    })),
  );
  const meta = useRef({
    inReplyTo: draft?.inReplyTo ?? null,
    references: draft?.references ?? [],
    source: draft?.source ?? null,
  });
  const [problem, setProblem] = useState<ComposeProblem | null>(init.problem);
  const [blockers, setBlockers] = useState<SendBlocker[]>([]);
  const [fileErrors, setFileErrors] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const [minimized, setMinimized] = useState(false);
  const [dragging, setDragging] = useState(false);
  const editor = useRef<EditorHandle>(null);
  const toInput = useRef<HTMLInputElement | null>(null);
  const subjectRef = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const uploads = useRef(new Map<string, UploadHandle>());
  /** "sent" or "discarded": the composer is done and saves nothing more. */
  const done = useRef<null | "sent" | "discarded" | "left">(null);
  /** The draft as it was when the composer left the screen (the editor is gone after). */
  const frozen = useRef<ReturnType<typeof buildDraft> | null>(null);
  const subjectId = useId();
  const fromId = useId();
  const problemsId = useId();

  const initialHtml = useMemo(
    () => initialBody(init, fromOption?.signature ?? ""),
    // the body is set once
    [],
  );

  // The latest state, for saves that run later.
  const latest = useRef({ fromOption, to, cc, bcc, subject, attachments });
  latest.current = { fromOption, to, cc, bcc, subject, attachments };

  const fields = (state = latest.current): ComposeFields => ({
    from: {
      name: state.fromOption?.name ?? "",
      address: state.fromOption?.address ?? email,
    },
    identityId: state.fromOption?.identityId ?? null,
    to: commitText(state.to).chips,
    cc: commitText(state.cc).chips,
    bcc: commitText(state.bcc).chips,
    subject: state.subject,
    attachments: state.attachments,
    ...meta.current,
  });

  function buildDraft() {
    // A subject with a line break blocks Send; its draft is still saved, with spaces instead.
    const f = { ...fields(), subject: latest.current.subject.replace(/[\r\n\0]+/g, " ") };
    const ed = editor.current;
    const body = ed ? { html: ed.html(), text: ed.text(), blank: ed.blank() } : null;
    return {
      draft: toDraft(f, body?.html ?? "", body?.text ?? ""),
      empty: isEmptyDraft(f, body?.blank ?? true),
      hasEditor: body !== null,
    };
  }

  const autosave = useDraftAutosave({
    build: () => {
      if (frozen.current) return frozen.current;
      const built = buildDraft();
      // Without the editor (unmounted) the body is unknown: never overwrite a saved draft with it.
      return built.hasEditor ? built : null;
    },
    initialUid: init.draftUid,
    initialMailbox: init.draftMailbox,
  });
  const changed = autosave.changed;
  const autosaveRef = useRef(autosave);
  autosaveRef.current = autosave;

  useEffect(() => {
    if (init.saveNow) autosave.saveSoon();
    // once
  }, []);

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

  // ---- leaving: save the draft, drop the uploads ---------------------------------------------
  const uploadIds = () =>
    latest.current.attachments.flatMap((a) => {
      const id =
        a.kind === "upload"
          ? a.uploadId
          : "uploadId" in a.attachment
            ? a.attachment.uploadId
            : null;
      return id ? [id] : [];
    });

  /** The composer leaves the screen: closed, or replaced by another one; or unmounted. */
  const leave = (reason: "close" | "replace" | "unmount") => {
    if (done.current) return;
    done.current = "left";
    for (const handle of uploads.current.values()) handle.abort();
    uploads.current.clear();
    // Unmounted without warning (signed out): the editor is gone, nothing can be saved.
    if (reason === "unmount") return;
    const snapshot = buildDraft();
    frozen.current = snapshot;
    const ids = uploadIds();
    void (async () => {
      const saved = await autosave.flush();
      const hasCopy = autosave.draftUid() !== null;
      if (saved) {
        if (reason === "close" && hasCopy) showToast({ text: t("compose.toast.draftSaved") });
        // The copy in Drafts holds the files now; a resumed draft gets fresh uploads.
        if (hasCopy || snapshot.empty) for (const id of ids) void deleteUpload(id);
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
                    draftUid: autosave.draftUid(),
                    draftMailbox: autosave.draftMailbox(),
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
    if (done.current) return null;
    const built = buildDraft();
    if (built.empty || !built.hasEditor) return null;
    const whole = ZComposeDraft.safeParse(built.draft);
    // A recipient that is not an address yet stays behind; the text does not.
    const valid = (list: TComposeDraftInput["to"]) =>
      (list ?? []).filter((a) => ZComposeAddress.safeParse(a).success);
    const parsed = whole.success
      ? whole
      : ZComposeDraft.safeParse({
          ...built.draft,
          to: valid(built.draft.to),
          cc: valid(built.draft.cc),
          bcc: valid(built.draft.bcc),
        });
    if (!parsed.success) return null;
    return {
      draft: parsed.data,
      draftUid: autosave.draftUid(),
      draftMailbox: autosave.draftMailbox(),
    };
  };
  const snapshotRef = useRef(snapshot);
  snapshotRef.current = snapshot;

  useEffect(
    () =>
      registerComposer({
        key: entryKey,
        leave: () => leaveRef.current("replace"),
        draftRef: () => {
          const uid = autosaveRef.current.draftUid();
          const mailbox = autosaveRef.current.draftMailbox();
          return uid && mailbox ? { mailbox, ...uid } : null;
        },
        snapshot: () => snapshotRef.current(),
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

  const closeAndSave = () => {
    leave("close");
    closeComposer(entryKey);
  };

  // ---- attachments ---------------------------------------------------------------------------
  const addFiles = (files: File[]) => {
    if (files.length === 0 || done.current) return;
    const refused: string[] = [];
    const accepted: Array<{ file: File; key: string }> = [];
    const adding = { bytes: 0, files: 0 };
    const current = latest.current.attachments;
    for (const file of files) {
      const refusal = refuseFile(file.size, current, adding);
      if (refusal) {
        refused.push(refusalText(file.name || t("compose.attachment.unnamed"), refusal));
        continue;
      }
      adding.bytes += file.size;
      adding.files += 1;
      accepted.push({ file, key: `a${nextAttachmentKey++}` });
    }
    setFileErrors(refused);
    if (accepted.length === 0) return;
    setBlockers((b) => b.filter((x) => x.kind !== "uploading"));
    setAttachments((list) => [
      ...list,
      ...accepted.map(
        ({ file, key }): ComposeAttachmentItem => ({
          kind: "upload",
          key,
          filename: file.name || t("compose.attachment.unnamed"),
          size: file.size,
          type: file.type,
          status: "uploading",
          progress: 0,
          uploadId: null,
          error: null,
        }),
      ),
    ]);
    const update = (
      key: string,
      patch: Partial<Extract<ComposeAttachmentItem, { kind: "upload" }>>,
    ) =>
      setAttachments((list) =>
        list.map((a) => (a.key === key && a.kind === "upload" ? { ...a, ...patch } : a)),
      );
    for (const { file, key } of accepted) {
      let lastShown = 0;
      const handle = uploadFile(file, file.name || "attachment", (fraction) => {
        // a repaint per percent is plenty
        if (fraction - lastShown >= 0.01 || fraction === 1) {
          lastShown = fraction;
          update(key, { progress: fraction });
        }
      });
      uploads.current.set(key, handle);
      handle.promise.then(
        (info) => {
          uploads.current.delete(key);
          if (done.current) {
            void deleteUpload(info.uploadId);
            return;
          }
          update(key, { status: "done", progress: 1, uploadId: info.uploadId, size: info.size });
          changed();
        },
        (err: unknown) => {
          uploads.current.delete(key);
          if (done.current) return;
          update(key, { status: "failed", error: uploadErrorText(err) });
        },
      );
    }
  };

  const removeAttachment = (key: string) => {
    const item = latest.current.attachments.find((a) => a.key === key);
    if (!item) return;
    uploads.current.get(key)?.abort();
    uploads.current.delete(key);
    const id =
      item.kind === "upload"
        ? item.uploadId
        : "uploadId" in item.attachment
          ? item.attachment.uploadId
          : null;
    setAttachments((list) => list.filter((a) => a.key !== key));
    setFileErrors([]);
    if (id) {
      // after the next save, which no longer names it
      changed();
      void autosave.settle().then(() => deleteUpload(id));
    } else {
      changed();
    }
  };

  // ---- sending ------------------------------------------------------------------------------
  const send = async () => {
    if (sending || done.current) return;
    const committed = { to: commitText(to), cc: commitText(cc), bcc: commitText(bcc) };
    setTo(committed.to);
    setCc(committed.cc);
    setBcc(committed.bcc);
    const f = fields({ ...latest.current, ...committed });
    const found = sendBlockers(f);
    setProblem(null);
    if (found.length > 0) {
      setBlockers(found);
      const first = found[0];
      if (first?.kind === "subjectLineBreak") subjectRef.current?.focus();
      else if (first?.kind === "invalidRecipients" || first?.kind === "noRecipients")
        toInput.current?.focus();
      return;
    }
    setBlockers([]);
    setSending(true);
    try {
      await autosave.settle();
      const ed = editor.current;
      const draftInput = toDraft(f, ed?.html() ?? "", ed?.text() ?? "");
      const draftUid = autosave.draftUid();
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
      const reply = await socket.request({
        type: "compose.send",
        draft: fitted,
        delaySeconds,
        draftUid,
      });
      done.current = "sent";
      autosave.stop();
      trackSend({
        sendId: reply.sendId,
        sendAt: Date.parse(reply.sendAt),
        draftUid,
        draftMailbox: autosave.draftMailbox(),
      });
      closeComposer(entryKey);
    } catch (err) {
      setProblem(sendErrorProblem(err));
      if (autosave.dirty()) changed();
    } finally {
      setSending(false);
    }
  };

  // ---- discarding ----------------------------------------------------------------------------
  const discard = async () => {
    if (done.current) return;
    done.current = "discarded";
    autosave.stop();
    for (const handle of uploads.current.values()) handle.abort();
    uploads.current.clear();
    closeComposer(entryKey);
    await autosave.settle();
    for (const id of uploadIds()) void deleteUpload(id);
    const uid = autosave.draftUid();
    const mailbox = autosave.draftMailbox();
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
  };

  // ---- keys and drops ------------------------------------------------------------------------
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
  const hasFiles = (e: DragEvent<HTMLElement>) =>
    Array.from(e.dataTransfer.types).includes("Files");
  const onDragOver = (e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    if (!dragging) setDragging(true);
  };
  const onDragLeave = (e: DragEvent<HTMLElement>) => {
    if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget))
      setDragging(false);
  };
  const onDrop = (e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    addFiles(Array.from(e.dataTransfer.files));
  };

  // ---- what the user sees --------------------------------------------------------------------
  const taken = useMemo(
    () => new Set([...to.chips, ...cc.chips, ...bcc.chips].map((r) => r.address.toLowerCase())),
    [to.chips, cc.chips, bcc.chips],
  );
  const setField = (set: (v: RecipientValue) => void) => (v: RecipientValue) => {
    set(v);
    setBlockers([]);
    changed();
  };
  const subjectBroken = /[\r\n\0]/.test(subject);
  const messages: string[] = [
    ...(problem ? [problemText(problem)] : []),
    ...blockers.map(blockerText),
    ...fileErrors,
  ];

  return (
    <ComposerFrame
      title={title}
      isPhone={isPhone}
      minimized={minimized}
      onMinimize={() => setMinimized((m) => !m)}
      onClose={closeAndSave}
      onKeyDown={onKeyDown}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
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
                  const next = options.find((o) => o.key === e.target.value);
                  setFromKey(e.target.value);
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
            onChange={setField(setTo)}
            taken={taken}
            inputRef={(el) => {
              toInput.current = el;
            }}
            trailing={
              <div className="flex shrink-0 items-center gap-0.5 pt-1">
                {!showCc ? (
                  <button
                    type="button"
                    aria-label={t("compose.addCc")}
                    onClick={() => setShowCc(true)}
                    className="touch-target rounded-md px-1.5 text-sm text-zinc-600 hover:bg-zinc-200/70 md:min-h-8 dark:text-zinc-300 dark:hover:bg-zinc-800"
                  >
                    {t("compose.cc")}
                  </button>
                ) : null}
                {!showBcc ? (
                  <button
                    type="button"
                    aria-label={t("compose.addBcc")}
                    onClick={() => setShowBcc(true)}
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
              onChange={setField(setCc)}
              taken={taken}
            />
          ) : null}
          {showBcc ? (
            <RecipientField
              label={t("compose.bcc")}
              value={bcc}
              onChange={setField(setBcc)}
              taken={taken}
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
                setSubject(e.target.value);
                setBlockers((b) => b.filter((x) => x.kind !== "subjectLineBreak"));
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
            onChange={changed}
            onFiles={addFiles}
          />
          {attachments.length > 0 || fileErrors.length > 0 ? (
            <AttachmentList items={attachments} onRemove={removeAttachment} />
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
          <button
            type="button"
            aria-label={t("compose.attach")}
            title={t("compose.attachHint", {
              file: formatBinarySize(MAX_FILE_BYTES),
              message: formatBinarySize(MAX_MESSAGE_BYTES),
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
              addFiles(Array.from(e.target.files ?? []));
              e.target.value = "";
            }}
          />
          <SaveState status={autosave.status} error={autosave.error} />
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
        {dragging ? (
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
