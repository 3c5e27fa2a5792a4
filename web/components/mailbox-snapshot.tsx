/**
 * The mailbox's snapshot (lib/mailbox-snapshot.ts) painted at a reload while the mailbox's code
 * loads: inert (no pointer, keyboard or assistive-technology use) and busy, so nothing offers
 * what cannot work yet. The mailbox's first render takes its place as soon as the code is there.
 */
import { useEffect, useState } from "react";
import { snapshotToPaint } from "@/lib/mailbox-snapshot";
import type { StoredSnapshot } from "@/lib/persist";

/**
 * What to show in the mailbox's place while its code loads: the snapshot's markup (from `stored`,
 * when it fits), or null (the splash, or the mailbox once `loaded`). Never after the mailbox has
 * shown; the mailbox's first render is not held back for it.
 */
export function useSnapshotWhileLoading(
  stored: Promise<StoredSnapshot | undefined> | null,
  email: string,
  loaded: boolean,
): string | null {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    if (!stored || loaded) return;
    let live = true;
    void stored.then((s) => {
      if (live) setHtml(snapshotToPaint(s, email));
    });
    return () => {
      live = false;
    };
  }, [stored, email, loaded]);
  return loaded ? null : html;
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
