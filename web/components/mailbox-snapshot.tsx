/**
 * The hand-over from the mailbox's snapshot (lib/mailbox-snapshot.ts), which a reload's first
 * script (lib/mailbox-snapshot-script.ts) paints into a <ferry-snapshot> element outside what React
 * renders, to the mailbox itself: the snapshot goes in the same commit as the mailbox's first
 * render, so the rows do not blink, and at once when the session turns out to be someone else's
 * or over.
 */
import { useLayoutEffect } from "react";

const PAINTED = "ferry-snapshot";

function removePainted(unless?: string): void {
  for (const el of document.querySelectorAll<HTMLElement>(PAINTED)) {
    if (unless === undefined || el.dataset.account !== unless) el.remove();
  }
}

/**
 * While `email` is signed in: removes the painted snapshot when `shown` (the mailbox has
 * rendered), or at once if it shows another account; and whenever the caller unmounts (the
 * session ended).
 */
export function useSnapshotHandOver(email: string, shown: boolean): void {
  useLayoutEffect(() => removePainted(shown ? undefined : email), [email, shown]);
  useLayoutEffect(() => () => removePainted(), []);
}
