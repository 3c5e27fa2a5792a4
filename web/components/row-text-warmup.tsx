"use client";
/**
 * Two message rows of sample text in many scripts, laid out unseen while the sign-in page waits
 * for the person to type, so that the first rows after a sign-in find the browser's fonts ready.
 *
 * Why: in a new tab the first text of each size and weight in a script the page has not shown
 * yet (Greek, Cyrillic, Arabic, CJK, emoji...) makes the browser look for a font that has its
 * glyphs and set it up, for every style the rows use (sender bold or not, subject semibold or
 * not, preview, badges). The sign-in page shows only Latin, so all of that fell in the layout
 * of the revealed mailbox: traces of cold sign-ins on the benchmark's mail measured that layout
 * at 20-31 ms (11-12 ms of CPU), 9-11 ms (6.5-7.5) after these rows had been laid out once. The
 * rows are the list's own component, so every style of a row is warmed and stays in step with
 * it; they are invisible, inert and hidden from assistive technology, and removed after their
 * first frame (the fonts stay set up for the page). They are messages, not conversations: a
 * conversation's badges hold only digits and a Latin word, and no conversation's count may show
 * to a user of the flat list (e2e sign-in/flat-first watches the whole page for one).
 */
import type { TMessageRow } from "@ferry/protocol";
import { type RefObject, useRef } from "react";
import { useAfterFirstPaint } from "@/hooks/use-after-first-paint";
import { listRowHeight } from "@/lib/list-geometry";
import type { MessageListProps } from "./message-list";
import { MessageRow } from "./message-row";

/** The names of widely written languages in their own scripts, a few symbols and emoji. */
const SAMPLE =
  "Ελληνικά Русский Українська العربية فارسی עברית हिन्दी বাংলা ไทย 日本語 中文 繁體中文 한국어 " +
  "Tiếng Việt Čeština Türkçe „“ ‘’ – — … € £ ¥ 👍 ❤️ 😀 🎉 ✅ 📎";

function sampleRow(uid: number, unread: boolean): TMessageRow {
  return {
    uid,
    flags: unread ? [] : ["\\Seen"],
    date: new Date().toISOString(),
    subject: SAMPLE,
    from: [{ name: SAMPLE, address: "" }],
    to: [],
    size: 0,
    hasAttachments: true,
    preview: SAMPLE,
    messageId: null,
  };
}

const ROWS = [sampleRow(1, true), sampleRow(2, false)];

export function RowTextWarmup() {
  const painted = useAfterFirstPaint();
  // The rows are inert: no handler that reads the list's props can run.
  const list = useRef(null) as unknown as RefObject<MessageListProps>;
  if (painted) return null;
  const height = listRowHeight(false);
  return (
    <div
      aria-hidden="true"
      inert
      className="pointer-events-none invisible fixed top-0 left-0 h-0 w-[420px] overflow-hidden"
    >
      {ROWS.map((row, i) => (
        <MessageRow
          key={row.uid}
          row={row}
          conversation={undefined}
          index={i}
          top={i * height}
          height={height}
          open={false}
          cursor={false}
          checked={false}
          arrived={false}
          isPhone={false}
          readOnly
          setSize={ROWS.length}
          mailbox="INBOX"
          uidValidity={null}
          list={list}
        />
      ))}
    </div>
  );
}
