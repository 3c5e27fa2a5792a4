"use client";
/**
 * A conversation's earlier messages in the reader (conversation view), oldest first, above the
 * one opened (its newest in this folder, which the reader shows in full). Each collapsed line
 * (sender, bold while unread, a star, snippet, date) comes from the members' list rows
 * (`messages.rows`, through use-conversation-members.ts), or the message's own header once it
 * was opened; both follow flag changes. A collapsed line opens nothing. Read messages are
 * collapsed, unread ones expanded (and marked read as they are shown, together, once the stack's
 * opens are in: lib/mark-read.ts); in a long stack, runs of collapsed lines fold behind an "N
 * older messages" button (lib/conversation-stack.ts). An
 * expanded message is opened (`message.open`, through the stacks' one queue, lib/stack-opens.ts)
 * and its body shown only when it is one of the unread at the top of the stack (opened ahead as
 * the lines arrive, before the stack renders), was expanded by a click on its line (which is on
 * screen), or has come near the viewport (an IntersectionObserver on the reader's scroller): so a
 * long thread opens as fast as a short one, and dozens of unread messages never outrun the
 * bridge's rate cap; one that still fails says so in place, with a Retry. Each message shown has
 * its own sandboxed frame (html-frame.tsx, through the same sanitizer) and its own Reply / Reply
 * all / Forward. "Expand all" / "Collapse all", and the keys `;` / `:` do the same; `n` / `p`
 * move between the messages shown.
 */
import {
  remoteContentAllowed,
  type TConversationRow,
  type TMemberRow,
  type TMessageRef,
} from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useContentIdParts } from "@/hooks/use-content-id-parts";
import { useConversationMembers } from "@/hooks/use-conversation-members";
import { FLAGGED, SEEN } from "@/lib/actions";
import { membersOf, openAhead, orderMembers, refId, stackLayout } from "@/lib/conversation-stack";
import { FerryError } from "@/lib/errors";
import { formatFullDate, formatListDate, t } from "@/lib/i18n";
import { markRead } from "@/lib/mark-read";
import { useSettings } from "@/lib/settings";
import { stackMessageQuery } from "@/lib/stack-opens";
import { isTyping } from "@/lib/typing";
import { ReplyActions } from "./compose/reply-actions";
import { MessageBodies, partsToShow } from "./message-bodies";

/** How far beyond the scroller's visible part an expanded message is opened. */
const NEAR_MARGIN = "800px 0px";

/**
 * Whether `el` has come within NEAR_MARGIN of the visible part of the reader's scroller (its
 * article; found without reading any style, so no layout is forced), and stays true.
 */
function useNearViewport(active: boolean): [(el: HTMLElement | null) => void, boolean] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (!active || near || !el) return;
    if (typeof IntersectionObserver === "undefined") {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setNear(true);
      },
      { root: el.closest("article"), rootMargin: NEAR_MARGIN },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [active, near, el]);
  return [setEl, near];
}

interface Props {
  conversation: TConversationRow;
  /** The message the reader shows in full (left out of the stack). */
  current: TMessageRef;
  readOnly: boolean;
}

export function ConversationStack({ conversation, current, readOnly }: Props) {
  const members = useMemo(
    () => membersOf(conversation, current),
    [conversation, current.mailbox, current.uidValidity, current.uid],
  );
  const { rows, missing } = useConversationMembers(members);
  const ordered = orderMembers(
    members.map((ref) => ({
      ref,
      row: rows.get(refId(ref)),
      missing: missing.has(refId(ref)),
    })),
  );
  /** Expanded or collapsed by the user; otherwise those unread when first listed are expanded. */
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [unfolded, setUnfolded] = useState(false);
  const unreadAtFirst = useRef(new Map<string, boolean>());
  for (const { ref, row } of ordered) {
    const id = refId(ref);
    if (row && !unreadAtFirst.current.has(id))
      unreadAtFirst.current.set(id, !row.flags.includes(SEEN));
  }
  const expanded = (ref: TMessageRef): boolean =>
    chosen[refId(ref)] ?? unreadAtFirst.current.get(refId(ref)) ?? false;
  const setAll = (on: boolean) => {
    if (on) setUnfolded(true);
    setChosen(Object.fromEntries(members.map((ref) => [refId(ref), on])));
  };
  const layout = stackLayout(
    ordered.map((m) => expanded(m.ref)),
    unfolded,
  );
  const shown = layout.flatMap((e) => (e.kind === "message" ? [ordered[e.index]] : []));
  const ahead = new Set(
    openAhead(ordered, (m) => unreadAtFirst.current.get(refId(m.ref)) === true).map((m) =>
      refId(m.ref),
    ),
  );

  const items = useRef(new Map<string, HTMLButtonElement>());
  const [focus, setFocus] = useState(-1);
  const keysRef = useRef({ setAll, shown, focus });
  keysRef.current = { setAll, shown, focus };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTyping(e.target) || document.querySelector("dialog[open]")) return;
      const k = keysRef.current;
      if (e.key === ";" || e.key === ":") {
        e.preventDefault();
        k.setAll(e.key === ";");
      } else if (e.key === "n" || e.key === "p") {
        e.preventDefault();
        const last = k.shown.length - 1;
        const next = e.key === "n" ? Math.min(last, k.focus + 1) : Math.max(0, k.focus - 1);
        const target = k.shown[next];
        if (!target) return;
        setFocus(next);
        const el = items.current.get(refId(target.ref));
        el?.focus();
        el?.scrollIntoView({ block: "nearest" });
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  return (
    <section aria-label={t("conv.stack", { count: conversation.count })} className="mb-4">
      <div className="mb-2 flex justify-end gap-2 text-sm">
        <button
          type="button"
          onClick={() => setAll(true)}
          className="touch-target rounded-lg px-2 text-accent-700 hover:bg-zinc-100 md:min-h-8 dark:text-accent-200 dark:hover:bg-zinc-800"
        >
          {t("conv.expandAll")}
        </button>
        <button
          type="button"
          onClick={() => setAll(false)}
          className="touch-target rounded-lg px-2 text-accent-700 hover:bg-zinc-100 md:min-h-8 dark:text-accent-200 dark:hover:bg-zinc-800"
        >
          {t("conv.collapseAll")}
        </button>
      </div>
      <ol className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
        {layout.map((entry) => {
          if (entry.kind === "fold") {
            return (
              <li key={`fold-${entry.from}`} className="bg-white dark:bg-zinc-950">
                <button
                  type="button"
                  onClick={() => setUnfolded(true)}
                  className="w-full px-3 py-2 text-left text-sm text-accent-700 hover:bg-zinc-50 dark:text-accent-200 dark:hover:bg-zinc-900"
                >
                  {t("conv.olderMessages", { count: entry.to - entry.from })}
                </button>
              </li>
            );
          }
          const member = ordered[entry.index];
          if (!member) return null;
          const { ref, row } = member;
          return (
            <StackItem
              key={refId(ref)}
              msgRef={ref}
              position={entry.index}
              row={row}
              failed={member.missing}
              open={expanded(ref)}
              ahead={ahead.has(refId(ref))}
              markable={!readOnly && ref.mailbox === current.mailbox}
              onToggle={() => {
                setFocus(shown.indexOf(member));
                setChosen((prev) => ({ ...prev, [refId(ref)]: !expanded(ref) }));
              }}
              buttonRef={(el) => {
                if (el) items.current.set(refId(ref), el);
                else items.current.delete(refId(ref));
              }}
            />
          );
        })}
      </ol>
    </section>
  );
}

function StackItem(p: {
  msgRef: TMessageRef;
  /** Its place in the stack, top first: the order expanded messages are opened in. */
  position: number;
  /** Its list row (sender, snippet, date, flags); undefined until read. */
  row: TMemberRow | undefined;
  /** No message was found for it. */
  failed: boolean;
  open: boolean;
  /** One of the unread at the top of the stack: opened ahead, shown without waiting to be near. */
  ahead: boolean;
  /** In the open folder and writable: marked read once shown expanded. */
  markable: boolean;
  onToggle(): void;
  buttonRef(el: HTMLButtonElement | null): void;
}) {
  const { msgRef, row, open } = p;
  /** Expanded by a click on its line: it is on screen, and the user waits for it. */
  const [clicked, setClicked] = useState(false);
  const [itemRef, near] = useNearViewport(open && !p.ahead && !clicked);
  const shown = open && (p.ahead || clicked || near);
  const message = useQuery({
    ...stackMessageQuery(msgRef, p.position, p.ahead && !clicked),
    enabled: shown,
  });
  const data = message.data;
  /** Its text, once shown (a message opened before may be in the cache while still far). */
  const ready = shown ? data : undefined;
  const header = data?.header;
  const from = header?.envelope.from[0] ?? row?.from[0];
  const sender = from ? from.name || from.address : row ? t("list.unknownSender") : "";
  const date = (open ? header?.envelope.date : null) ?? row?.date ?? null;
  const settings = useSettings();
  const [marked, setMarked] = useState(false);
  const flags = header?.flags ?? row?.flags;
  // From the freshest copy: the opened message's header, else its row (both follow flag changes).
  const unread = flags !== undefined && !flags.includes(SEEN);
  const starred = flags?.includes(FLAGGED) ?? false;

  useEffect(() => {
    if (!ready || !unread || !p.markable || marked) return;
    setMarked(true);
    markRead(msgRef, true);
  }, [ready, unread, p.markable, marked, msgRef]);

  const cids = useContentIdParts(header?.attachments);

  const bodies = ready ? partsToShow(ready) : [];
  const allowRemote =
    from?.address !== undefined && remoteContentAllowed(settings, from.address.trim());

  return (
    <li ref={itemRef} className="bg-white dark:bg-zinc-950">
      <button
        ref={p.buttonRef}
        type="button"
        aria-expanded={open}
        onClick={() => {
          if (!open) setClicked(true);
          p.onToggle();
        }}
        className="flex w-full items-baseline gap-3 px-3 py-2 text-left hover:bg-zinc-50 focus-visible:outline-offset-[-2px] dark:hover:bg-zinc-900"
      >
        <span className={`shrink-0 text-sm ${unread ? "font-bold" : "font-medium"}`}>{sender}</span>
        {starred ? (
          <span
            role="img"
            aria-label={t("list.starred")}
            className="shrink-0 text-sm text-amber-500"
          >
            ★
          </span>
        ) : null}
        <span className="min-w-0 flex-1 truncate text-sm text-zinc-500">
          {open ? "" : p.failed || message.error ? t("reader.notFound") : (row?.preview ?? "")}
        </span>
        {date ? (
          <time dateTime={date} className="shrink-0 text-xs text-zinc-500">
            {open ? formatFullDate(date) : formatListDate(date)}
          </time>
        ) : null}
      </button>
      {open ? (
        <div className="space-y-4 px-3 pb-3">
          {ready ? null : message.error instanceof FerryError &&
            message.error.code === "message_not_found" ? (
            <p className="text-sm text-zinc-700 dark:text-zinc-300">{t("reader.notFound")}</p>
          ) : message.error ? (
            <p
              role="alert"
              className="flex items-center gap-3 text-sm text-zinc-700 dark:text-zinc-300"
            >
              {t("conv.openFailed")}
              <button
                type="button"
                onClick={() => void message.refetch()}
                className="touch-target rounded-lg px-2 text-accent-700 hover:bg-zinc-100 md:min-h-8 dark:text-accent-200 dark:hover:bg-zinc-800"
              >
                {t("conv.openRetry")}
              </button>
            </p>
          ) : (
            <div
              className="h-24 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900"
              aria-busy="true"
            />
          )}
          <MessageBodies
            bodies={bodies}
            msgRef={msgRef}
            cids={cids}
            allowRemote={allowRemote}
            onBlocked={() => undefined}
            pendingClassName="h-24"
          />
          <ReplyActions msgRef={msgRef} layout="footer" />
        </div>
      ) : null}
    </li>
  );
}
