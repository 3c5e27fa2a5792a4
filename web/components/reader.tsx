"use client";
/**
 * The reader: an article named by the subject. Headers show at once (from the list row, then
 * from `message.header`), the body as it streams in. HTML goes into the sandboxed frame with
 * remote content blocked behind a banner (unless the user always allows the sender or its
 * domain: lib/settings.ts); plain text gets safe links. In both, the trailing quote and signature
 * are folded behind "…" (the bodies: message-bodies.tsx). Attachments are listed with download
 * and preview. Opening an unread message marks it read once it is shown (in one request with its
 * conversation's unread messages shown at the same time: lib/mark-read.ts). Under the headers:
 * "Filter messages like this" and "Unsubscribe" (rules/reader-rule-buttons.tsx). In
 * conversation view the conversation's earlier messages stack above it (conversation-stack.tsx).
 */
import {
  displayFilename,
  partUrl,
  remoteContentAllowed,
  sanitizeFilename,
  type TAddress,
  type TAttachment,
  type TConversationRow,
  type TMessageRef,
  type TMessageRow,
} from "@ferry/protocol";
import { type ReactNode, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { useConnectionState } from "@/hooks/use-connection-state";
import { useContentIdParts } from "@/hooks/use-content-id-parts";
import { useMessage } from "@/hooks/use-message";
import { reasonOf, refuseOfflineLink, SEEN } from "@/lib/actions";
import { FerryError } from "@/lib/errors";
import { formatFullDate, formatSize, t } from "@/lib/i18n";
import { markRead } from "@/lib/mark-read";
import { saveSettings, useSettings } from "@/lib/settings";
import { ReplyActions } from "./compose/reply-actions";
import { ConversationStack } from "./conversation-stack";
import {
  BackIcon,
  CodeIcon,
  DownloadIcon,
  ExternalIcon,
  EyeIcon,
  FileIcon,
  ImageIcon,
  PaperclipIcon,
  ShieldIcon,
} from "./icons";
import { MessageBodies, partsToShow } from "./message-bodies";
import { ReaderRuleButtons } from "./rules/reader-rule-buttons";
import { ConnectingPill } from "./status-bar";
import { useNotConnected } from "./waiting-note";

interface ReaderProps {
  msgRef: TMessageRef;
  row: TMessageRow | undefined;
  readOnly: boolean;
  toolbar: ReactNode;
  isPhone: boolean;
  onBack(): void;
  /** Conversation view: the conversation this message is the newest of (in this folder). */
  conversation?: TConversationRow | undefined;
}

function formatAddress(a: TAddress): string {
  if (a.name && a.address) return `${a.name} <${a.address}>`;
  return a.name || a.address;
}

export function Reader({
  msgRef,
  row,
  readOnly,
  toolbar,
  isPhone,
  onBack,
  conversation,
}: ReaderProps) {
  const headingId = useId();
  const stableRef = useMemo(
    () => ({ mailbox: msgRef.mailbox, uidValidity: msgRef.uidValidity, uid: msgRef.uid }),
    [msgRef.mailbox, msgRef.uidValidity, msgRef.uid],
  );
  const query = useMessage(stableRef);
  const data = query.data;
  const header = data?.header;
  const connection = useConnectionState();
  const notConnected = useNotConnected();
  const [allowRemote, setAllowRemote] = useState(false);
  const [blocked, setBlocked] = useState(0);
  const articleRef = useRef<HTMLElement>(null);

  // Another message in this reader: remote content blocked again, scrolled to its top. A reader
  // that has just mounted is there already; scrolling it would lay the page out in the effect.
  const shownRef = useRef(stableRef);
  useEffect(() => {
    if (shownRef.current === stableRef) return;
    shownRef.current = stableRef;
    setAllowRemote(false);
    setBlocked(0);
    articleRef.current?.scrollTo({ top: 0 });
  }, [stableRef]);

  // Mark read once shown, once per opening: "Mark as unread" while it is open sticks.
  const markedThisOpen = useRef(false);
  const flags = row?.flags ?? header?.flags;
  useEffect(() => {
    if (markedThisOpen.current || !header || readOnly || !flags) return;
    markedThisOpen.current = true;
    if (flags.includes(SEEN)) return;
    markRead(stableRef);
  }, [header, readOnly, flags, stableRef]);

  const cids = useContentIdParts(header?.attachments);
  const onBlocked = useCallback((n: number) => setBlocked(n), []);

  const subject = header?.envelope.subject || row?.subject || t("list.noSubject");
  const from = header?.envelope.from ?? row?.from ?? [];
  const date = header?.envelope.date ?? row?.date ?? null;
  // Senders and domains the user always allows (settings that follow them to every browser).
  const settings = useSettings();
  const [allowError, setAllowError] = useState<string | null>(null);
  const senderAddress = (from[0]?.address ?? "").trim().toLowerCase();
  const senderDomain = senderAddress.includes("@")
    ? senderAddress.slice(senderAddress.lastIndexOf("@") + 1)
    : "";
  const showRemote =
    allowRemote || (senderAddress !== "" && remoteContentAllowed(settings, senderAddress));
  const allowAlways = (change: Parameters<typeof saveSettings>[0]) => {
    setAllowError(null);
    saveSettings(change).catch((err: unknown) =>
      setAllowError(t("reader.allowFailed", { reason: reasonOf(err) })),
    );
  };
  const bodies = data ? partsToShow(data) : [];
  const hasHtml = bodies.some((b) => b.type === "text/html");
  const attachments = (header?.attachments ?? []).filter(
    (a) => !(a.inline && a.contentId && hasHtml),
  );

  let status: ReactNode = null;
  if (query.error && !data) {
    const err = query.error;
    status =
      err instanceof FerryError && err.code === "message_not_found"
        ? t("reader.notFound")
        : connection.socket !== "online"
          ? t("reader.offline")
          : t("reader.error", { reason: reasonOf(err) });
  }

  return (
    <article
      ref={articleRef}
      aria-labelledby={headingId}
      className="flex min-h-0 flex-1 scroll-pt-16 flex-col overflow-y-auto bg-white dark:bg-zinc-950"
    >
      <div className="pt-safe @container sticky top-0 z-10 flex items-center gap-1 border-b border-zinc-200 bg-white/95 px-2 py-1 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95">
        {isPhone ? (
          <button
            type="button"
            onClick={onBack}
            aria-label={t("action.backToList")}
            className="touch-target inline-flex items-center justify-center rounded-full hover:bg-zinc-200/70 dark:hover:bg-zinc-800"
          >
            <BackIcon className="size-6" />
          </button>
        ) : null}
        {toolbar}
        {/* On a phone the reader is the whole screen: its header holds the first "Connecting…",
            its icon alone where the actions leave no room for its words. */}
        {isPhone ? <ConnectingPill compact /> : <ReplyActions msgRef={stableRef} />}
        <a
          href={partUrl(stableRef, "raw")}
          target="_blank"
          rel="noopener noreferrer"
          title={t("action.showOriginal")}
          className="touch-target ml-auto inline-flex items-center justify-center gap-1.5 rounded-lg px-2.5 text-sm text-zinc-600 hover:bg-zinc-200/70 md:min-h-9 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <CodeIcon className="size-5" />
          <span className="sr-only lg:not-sr-only">{t("action.showOriginal")}</span>
        </a>
      </div>

      <div className="mx-auto w-full max-w-4xl px-4 py-4 md:px-6">
        <h2
          id={headingId}
          className="mb-3 text-xl font-semibold break-words text-zinc-950 dark:text-white"
        >
          {subject}
        </h2>
        {conversation && conversation.count > 1 ? (
          <ConversationStack conversation={conversation} current={stableRef} readOnly={readOnly} />
        ) : null}
        <dl className="mb-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm">
          <dt className="text-zinc-500">{t("reader.from")}</dt>
          <dd className="min-w-0 break-words font-medium">{from.map(formatAddress).join(", ")}</dd>
          {header && header.envelope.to.length > 0 ? (
            <>
              <dt className="text-zinc-500">{t("reader.to")}</dt>
              <dd className="min-w-0 break-words">
                {header.envelope.to.map(formatAddress).join(", ")}
              </dd>
            </>
          ) : null}
          {header && header.envelope.cc.length > 0 ? (
            <>
              <dt className="text-zinc-500">{t("reader.cc")}</dt>
              <dd className="min-w-0 break-words">
                {header.envelope.cc.map(formatAddress).join(", ")}
              </dd>
            </>
          ) : null}
          {date ? (
            <>
              <dt className="text-zinc-500">{t("reader.date")}</dt>
              <dd>
                <time dateTime={date}>{formatFullDate(date)}</time>
              </dd>
            </>
          ) : null}
        </dl>

        <ReaderRuleButtons msgRef={stableRef} header={header} />

        {status ? (
          <p
            role="alert"
            className="rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
          >
            {status}
          </p>
        ) : null}

        {blocked > 0 && !showRemote ? (
          <div
            role="status"
            className="mb-3 flex flex-wrap items-center gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
          >
            <ShieldIcon className="size-5 shrink-0" />
            <span className="flex-1">{t("reader.remoteBlocked")}</span>
            <button
              type="button"
              onClick={() => setAllowRemote(true)}
              className="touch-target rounded-lg bg-amber-600 px-3 font-medium text-white hover:bg-amber-700 md:min-h-9"
            >
              {t("reader.loadRemote")}
            </button>
            {senderAddress.includes("@") ? (
              <>
                <button
                  type="button"
                  onClick={() => allowAlways({ allowSenders: { add: [senderAddress] } })}
                  className="touch-target rounded-lg px-3 font-medium hover:bg-amber-100 md:min-h-9 dark:hover:bg-amber-900"
                >
                  {t("reader.alwaysSender", { address: senderAddress })}
                </button>
                <button
                  type="button"
                  onClick={() => allowAlways({ allowDomains: { add: [senderDomain] } })}
                  className="touch-target rounded-lg px-3 font-medium hover:bg-amber-100 md:min-h-9 dark:hover:bg-amber-900"
                >
                  {t("reader.alwaysDomain", { domain: senderDomain })}
                </button>
              </>
            ) : null}
            {allowError ? (
              <p role="alert" className="w-full text-sm text-red-700 dark:text-red-300">
                {allowError}
              </p>
            ) : null}
          </div>
        ) : null}

        {attachments.length > 0 ? (
          <Attachments msgRef={stableRef} attachments={attachments} />
        ) : null}

        {/* Nothing kept of it here: said in words while the bridge is out of reach. */}
        {!data && !status && notConnected !== null ? (
          <p className="py-4 text-sm text-zinc-500">
            {notConnected === "offline" ? t("reader.offline") : t("waiting.message")}
          </p>
        ) : null}
        {!data && !status && notConnected === null ? (
          <div
            role="status"
            aria-busy="true"
            aria-label={t("reader.loading")}
            className="space-y-2 py-4"
          >
            <div className="h-3 w-5/6 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
            <div className="h-3 w-4/6 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
            <div className="h-3 w-3/6 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" />
          </div>
        ) : null}

        {data && bodies.length === 0 && data.complete ? (
          <p className="py-4 text-sm text-zinc-500">{t("reader.noBody")}</p>
        ) : null}

        <div className="space-y-4">
          <MessageBodies
            bodies={bodies}
            msgRef={stableRef}
            cids={cids}
            allowRemote={showRemote}
            onBlocked={onBlocked}
            pendingClassName="h-40"
          />
        </div>
        {isPhone ? (
          <div className="mt-6 border-t border-zinc-200 pt-4 dark:border-zinc-800">
            <ReplyActions msgRef={stableRef} layout="footer" />
          </div>
        ) : null}
      </div>
    </article>
  );
}

function Attachments({ msgRef, attachments }: { msgRef: TMessageRef; attachments: TAttachment[] }) {
  const [previews, setPreviews] = useState<ReadonlySet<string>>(new Set());
  const toggle = (part: string) =>
    setPreviews((prev) => {
      const next = new Set(prev);
      if (next.has(part)) next.delete(part);
      else next.add(part);
      return next;
    });
  return (
    <section aria-label={t("reader.attachments", { count: attachments.length })} className="mb-4">
      <h3 className="mb-2 flex items-center gap-1.5 text-sm font-medium text-zinc-600 dark:text-zinc-300">
        <PaperclipIcon className="size-4" />
        {t("reader.attachments", { count: attachments.length })}
      </h3>
      <ul className="flex flex-col gap-2">
        {attachments.map((a) => {
          const name = displayFilename(a.filename) || t("reader.unnamed");
          const isImage = a.type.startsWith("image/");
          const isPdf = a.type === "application/pdf";
          const Icon = isImage ? ImageIcon : FileIcon;
          const shown = previews.has(a.part);
          return (
            <li key={a.part} className="rounded-lg border border-zinc-200 dark:border-zinc-800">
              <div className="flex items-center gap-3 px-3 py-2">
                <Icon className="size-6 shrink-0 text-zinc-500" />
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium">{name}</p>
                  <p className="text-xs text-zinc-500">
                    {a.type} · {formatSize(a.size)}
                  </p>
                </div>
                {isImage ? (
                  <button
                    type="button"
                    aria-pressed={shown}
                    aria-label={
                      shown ? t("reader.hidePreview", { name }) : t("reader.preview", { name })
                    }
                    onClick={() => toggle(a.part)}
                    className="touch-target inline-flex items-center justify-center rounded-lg hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:hover:bg-zinc-800"
                  >
                    <EyeIcon className="size-5" />
                  </button>
                ) : null}
                {isPdf || isImage ? (
                  <a
                    href={partUrl(msgRef, a.part)}
                    target="_blank"
                    rel="noopener noreferrer"
                    aria-label={t("reader.openInTab", { name })}
                    className="touch-target inline-flex items-center justify-center rounded-lg hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:hover:bg-zinc-800"
                  >
                    <ExternalIcon className="size-5" />
                  </a>
                ) : null}
                <a
                  href={partUrl(msgRef, a.part, { download: true })}
                  download={a.filename ? sanitizeFilename(a.filename) : ""}
                  onClick={refuseOfflineLink}
                  aria-label={t("reader.download", { name })}
                  className="touch-target inline-flex items-center justify-center rounded-lg hover:bg-zinc-200/70 md:min-h-9 md:min-w-9 dark:hover:bg-zinc-800"
                >
                  <DownloadIcon className="size-5" />
                </a>
              </div>
              {shown ? (
                <div className="border-t border-zinc-200 p-2 dark:border-zinc-800">
                  <img
                    src={partUrl(msgRef, a.part)}
                    alt={name}
                    className="mx-auto max-h-[60vh] max-w-full"
                  />
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
