/**
 * The mailbox's snapshot (lib/mailbox-snapshot.ts) painted at a reload while the mailbox's code
 * loads: inert (no pointer, keyboard or assistive-technology use) and busy, so nothing offers
 * what cannot work yet. It is painted once before the mailbox's first render (which holds the
 * main thread for a while) takes its place; a snapshot read after the mailbox showed is dropped.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { snapshotToPaint } from "@/lib/mailbox-snapshot";
import type { StoredSnapshot } from "@/lib/persist";

/** Calls `fn` in a task after the next frame has been painted. */
function afterPaint(fn: () => void): () => void {
  let live = true;
  const frame = requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      if (live) fn();
    };
    channel.port2.postMessage(null);
  });
  return () => {
    live = false;
    cancelAnimationFrame(frame);
  };
}

/**
 * What to show in the mailbox's place: the snapshot's markup (from `stored`, when it fits) until
 * it has been painted once and the mailbox is `loaded`; null when the mailbox (if loaded) or the
 * splash (if not) should show. Once the mailbox has shown, always null.
 */
export function useSnapshotFirst(
  stored: Promise<StoredSnapshot | undefined> | null,
  email: string,
  loaded: boolean,
): string | null {
  const [html, setHtml] = useState<string | null>(null);
  const [painted, setPainted] = useState(false);
  const mailboxShown = useRef(false);
  const showMailbox = mailboxShown.current || (loaded && (html === null || painted));

  useEffect(() => {
    if (!stored) return;
    let live = true;
    void stored.then((s) => {
      if (live && !mailboxShown.current) setHtml(snapshotToPaint(s, email));
    });
    return () => {
      live = false;
    };
  }, [stored, email]);
  useEffect(() => {
    if (html !== null && !painted) return afterPaint(() => setPainted(true));
  }, [html, painted]);
  useLayoutEffect(() => {
    if (showMailbox) mailboxShown.current = true;
  }, [showMailbox]);

  return showMailbox ? null : html;
}

export function MailboxSnapshot({ html }: { html: string }) {
  return (
    <div
      className="contents"
      inert
      aria-busy="true"
      // The page's own mailbox markup, stored by lib/mailbox-snapshot.ts from its DOM
      // (React-escaped text; frames and scripts left out); the CSP runs no inline script.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
