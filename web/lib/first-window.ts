/**
 * The first window a sign-in asks the bridge to put in its answer (ZSessionRequest `inbox`):
 * INBOX's head, when that is what the page will show first, with as many rows as the screen holds.
 * It is part of the sign-in page's own code, not the mailbox's chunk: a sign-in made before that
 * chunk has arrived (a slow phone, a quick user) must get its rows in the answer like any other,
 * not over the socket once the mailbox has loaded and connected.
 */
import type { TSessionRequest } from "@ferry/protocol";
import { rowsOnScreen } from "./list-geometry";

/**
 * INBOX's head from the address alone, as lib/route reads it (that module, with the sort keys'
 * schema, is the mailbox's): no folder or INBOX, no search. Any `sort` in the address is taken as
 * another order (the page never writes the default there), so at worst the rows come over the
 * socket instead.
 */
function showsInboxHead(search: string): boolean {
  const p = new URLSearchParams(search);
  return (p.get("folder") || "INBOX") === "INBOX" && !p.get("q")?.trim() && !p.get("sort");
}

/** The window to ask for, of `conversations` (the view the page would show); none if not INBOX's. */
export function firstWindowToAsk(conversations: boolean): TSessionRequest["inbox"] {
  if (typeof window === "undefined" || !showsInboxHead(window.location.search)) return undefined;
  return { conversations, rows: rowsOnScreen() };
}
