"use client";
/**
 * A message's bodies as the reader and the conversation stack show them: which parts
 * (partsToShow: a text part with an HTML sibling is left out), HTML in its sandboxed frame
 * (html-frame.tsx), plain text with safe links and its trailing quote and signature folded
 * behind "…" (lib/quote-fold).
 */
import type { TBodyPart, TMessageRef } from "@ferry/protocol";
import { useMemo, useState } from "react";
import { t } from "@/lib/i18n";
import { linkify } from "@/lib/linkify";
import type { MessageData } from "@/lib/mail-client";
import { foldPlainText } from "@/lib/quote-fold";
import { HtmlFrame } from "./html-frame";

/** Text parts shown instead of an HTML sibling in the same multipart/alternative are skipped. */
export function partsToShow(data: MessageData): MessageData["bodies"] {
  const parentOf = new Map<string, TBodyPart>();
  const walk = (node: TBodyPart) => {
    for (const child of node.children) {
      parentOf.set(child.part, node);
      walk(child);
    }
  };
  walk(data.header.structure);
  return data.bodies.filter((b) => {
    if (b.type !== "text/plain") return true;
    const parent = parentOf.get(b.part);
    if (parent?.type !== "multipart/alternative") return true;
    return !data.bodies.some((o) => o.type === "text/html" && parentOf.get(o.part) === parent);
  });
}

/**
 * A message's bodies (see partsToShow): HTML in its sandboxed frame once complete, a pulsing
 * block of `pendingClassName`'s height while it streams, plain text linkified.
 */
export function MessageBodies(p: {
  bodies: MessageData["bodies"];
  msgRef: TMessageRef;
  cids: Map<string, string>;
  allowRemote: boolean;
  onBlocked(n: number): void;
  pendingClassName: string;
}) {
  return p.bodies.map((b) =>
    b.type === "text/html" ? (
      b.done ? (
        <HtmlFrame
          key={b.part}
          html={b.text}
          msgRef={p.msgRef}
          cids={p.cids}
          allowRemote={p.allowRemote}
          onBlocked={p.onBlocked}
        />
      ) : (
        <div
          key={b.part}
          className={`${p.pendingClassName} animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900`}
          aria-busy="true"
        />
      )
    ) : (
      <PlainText key={b.part} text={b.text} />
    ),
  );
}

/** A plain-text body with safe links, its trailing quote and signature folded behind "…". */
export function PlainText({ text }: { text: string }) {
  const fold = useMemo(() => foldPlainText(text), [text]);
  const [open, setOpen] = useState(false);
  if (!fold) return <LinkedText text={text} />;
  return (
    <div>
      <LinkedText text={fold.shown.trimEnd()} />
      <button
        type="button"
        aria-expanded={open}
        aria-label={t("reader.showTrimmed")}
        title={t("reader.showTrimmed")}
        onClick={() => setOpen((was) => !was)}
        className="my-2 rounded-lg bg-zinc-200 px-2.5 text-sm leading-6 font-bold tracking-widest text-zinc-700 hover:bg-zinc-300 dark:bg-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-700"
      >
        …
      </button>
      {open ? <LinkedText text={fold.folded} /> : null}
    </div>
  );
}

function LinkedText({ text }: { text: string }) {
  const segments = useMemo(() => linkify(text), [text]);
  return (
    <div className="text-[15px] leading-relaxed break-words whitespace-pre-wrap text-zinc-900 dark:text-zinc-100">
      {segments.map((s, i) =>
        "href" in s ? (
          <a
            key={i}
            href={s.href}
            target="_blank"
            rel="noopener noreferrer"
            className="text-accent-600 underline dark:text-accent-200"
          >
            {s.text}
          </a>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </div>
  );
}
