"use client";
/**
 * A conversation's earlier messages in the reader (conversation view), oldest first, above the
 * one opened (its newest in this folder, which the reader shows in full). Read messages are one
 * line each (sender, snippet, date); unread ones are expanded. Each expanded message has its own
 * sandboxed frame (html-frame.tsx, through the same sanitizer), mounted only while expanded, and
 * its own Reply / Reply all / Forward. "Expand all" / "Collapse all", and the keys `;` / `:` do
 * the same; `n` / `p` move between the messages.
 */
import { remoteContentAllowed, type TConversationRow, type TMessageRef } from "@ferry/protocol";
import { useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useContentIdParts } from "@/hooks/use-content-id-parts";
import { SEEN, setFlags } from "@/lib/actions";
import { formatFullDate, formatListDate, t } from "@/lib/i18n";
import { fetchMessage, keys, type MessageData } from "@/lib/mail-client";
import { useSettings } from "@/lib/settings";
import { isTyping } from "@/lib/typing";
import { ReplyActions } from "./compose/reply-actions";
import { MessageBodies, partsToShow } from "./reader";

interface Props {
  conversation: TConversationRow;
  /** The message the reader shows in full (left out of the stack). */
  current: TMessageRef;
  readOnly: boolean;
}

function refId(ref: TMessageRef): string {
  return `${ref.mailbox}\u0000${ref.uidValidity}\u0000${ref.uid}`;
}

/** The conversation's other messages: in this folder, then elsewhere (the user's Sent). */
function membersOf(conversation: TConversationRow, current: TMessageRef): TMessageRef[] {
  const here = conversation.uids
    .filter((uid) => uid !== current.uid)
    .map((uid) => ({ mailbox: current.mailbox, uidValidity: current.uidValidity, uid }));
  const there = conversation.elsewhere.map((m) => ({
    mailbox: m.mailbox,
    uidValidity: m.uidValidity,
    uid: m.uid,
  }));
  return [...here, ...there];
}

/** For each message, how many of the others it replies to through In-Reply-To, in a chain. */
function replyDepths(list: Array<MessageData | undefined>): number[] {
  const byId = new Map<string, MessageData>();
  for (const d of list) if (d?.header.envelope.messageId) byId.set(d.header.envelope.messageId, d);
  return list.map((d) => {
    let n = 0;
    let parent = d?.header.envelope.inReplyTo;
    while (parent && n < list.length) {
      const found = byId.get(parent);
      if (!found) break;
      n++;
      parent = found.header.envelope.inReplyTo;
    }
    return n;
  });
}

/** A line of the message's text, for its collapsed row. */
function snippetOf(data: MessageData | undefined): string {
  if (!data) return "";
  const bodies = partsToShow(data);
  const plain = bodies.find((b) => b.type === "text/plain");
  let text = plain?.text ?? "";
  if (!plain) {
    const html = bodies.find((b) => b.type === "text/html");
    // Parsed only to read its text (DOMParser runs no script and loads nothing).
    if (html) text = new DOMParser().parseFromString(html.text, "text/html").body.textContent ?? "";
  }
  return text.replace(/\s+/g, " ").trim().slice(0, 160);
}

export function ConversationStack({ conversation, current, readOnly }: Props) {
  const members = useMemo(
    () => membersOf(conversation, current),
    [conversation, current.mailbox, current.uidValidity, current.uid],
  );
  const results = useQueries({
    queries: members.map((ref) => ({
      queryKey: keys.message(ref),
      queryFn: () => fetchMessage(ref),
    })),
  });
  // Oldest first, by date, then (sent within the same second) by how deep each replies.
  const loaded = members.map((ref, i) => ({
    ref,
    data: results[i]?.data,
    error: results[i]?.error ?? null,
  }));
  const depth = replyDepths(loaded.map((m) => m.data));
  const ordered = loaded
    .map((m, i) => ({ ...m, depth: depth[i] ?? 0 }))
    .sort((a, b) => {
      const da = a.data?.header.envelope.date;
      const db = b.data?.header.envelope.date;
      if (!da || !db) return da ? -1 : db ? 1 : 0;
      return Date.parse(da) - Date.parse(db) || a.depth - b.depth;
    });
  /** Expanded or collapsed by the user; otherwise those unread when first loaded are expanded. */
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const unreadAtFirst = useRef(new Map<string, boolean>());
  for (const { ref, data } of ordered) {
    const id = refId(ref);
    if (data && !unreadAtFirst.current.has(id))
      unreadAtFirst.current.set(id, !data.header.flags.includes(SEEN));
  }
  const expanded = (ref: TMessageRef): boolean =>
    chosen[refId(ref)] ?? unreadAtFirst.current.get(refId(ref)) ?? false;
  const setAll = (on: boolean) =>
    setChosen(Object.fromEntries(members.map((ref) => [refId(ref), on])));

  const items = useRef(new Map<string, HTMLButtonElement>());
  const [focus, setFocus] = useState(-1);
  const keysRef = useRef({ setAll, ordered, focus });
  keysRef.current = { setAll, ordered, focus };
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
        const last = k.ordered.length - 1;
        const next = e.key === "n" ? Math.min(last, k.focus + 1) : Math.max(0, k.focus - 1);
        const target = k.ordered[next];
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
        {ordered.map(({ ref, data, error }, i) => (
          <StackItem
            key={refId(ref)}
            msgRef={ref}
            data={data}
            failed={error !== null}
            open={expanded(ref)}
            markable={!readOnly && ref.mailbox === current.mailbox}
            onToggle={() => {
              setFocus(i);
              setChosen((prev) => ({ ...prev, [refId(ref)]: !expanded(ref) }));
            }}
            buttonRef={(el) => {
              if (el) items.current.set(refId(ref), el);
              else items.current.delete(refId(ref));
            }}
          />
        ))}
      </ol>
    </section>
  );
}

function StackItem(p: {
  msgRef: TMessageRef;
  data: MessageData | undefined;
  failed: boolean;
  open: boolean;
  /** In the open folder and writable: marked read once shown expanded. */
  markable: boolean;
  onToggle(): void;
  buttonRef(el: HTMLButtonElement | null): void;
}) {
  const { msgRef, data, open } = p;
  const header = data?.header;
  const from = header?.envelope.from[0];
  const sender = from ? from.name || from.address : t("list.unknownSender");
  const date = header?.envelope.date ?? null;
  const settings = useSettings();
  const unread = header !== undefined && !header.flags.includes(SEEN);

  const marked = useRef(false);
  useEffect(() => {
    if (!open || !unread || !p.markable || marked.current) return;
    marked.current = true;
    void setFlags(
      { mailbox: msgRef.mailbox, uidValidity: msgRef.uidValidity, uids: [msgRef.uid] },
      [SEEN],
      [],
    );
  }, [open, unread, p.markable, msgRef]);

  const cids = useContentIdParts(header?.attachments);

  const bodies = data ? partsToShow(data) : [];
  const allowRemote =
    from?.address !== undefined && remoteContentAllowed(settings, from.address.trim());

  return (
    <li className="bg-white dark:bg-zinc-950">
      <button
        ref={p.buttonRef}
        type="button"
        aria-expanded={open}
        onClick={p.onToggle}
        className="flex w-full items-baseline gap-3 px-3 py-2 text-left hover:bg-zinc-50 focus-visible:outline-offset-[-2px] dark:hover:bg-zinc-900"
      >
        <span className={`shrink-0 text-sm ${unread ? "font-bold" : "font-medium"}`}>{sender}</span>
        <span className="min-w-0 flex-1 truncate text-sm text-zinc-500">
          {open ? "" : p.failed ? t("reader.notFound") : snippetOf(data)}
        </span>
        {date ? (
          <time dateTime={date} className="shrink-0 text-xs text-zinc-500">
            {open ? formatFullDate(date) : formatListDate(date)}
          </time>
        ) : null}
      </button>
      {open ? (
        <div className="space-y-4 px-3 pb-3">
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
