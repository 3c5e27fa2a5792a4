/**
 * The first window a sign-in asks the bridge to put in its answer (ZSessionRequest `inbox`):
 * INBOX's head, when that is what the page will show first, in the order it will show it, with as
 * many rows as the screen holds. It is part of the sign-in page's own code, not the mailbox's
 * chunk: a sign-in made before that chunk has arrived (a slow phone, a quick user) must get its
 * rows in the answer like any other, not over the socket once the mailbox has loaded and
 * connected. So it imports no schema (list-sort.ts has none, for this).
 */
import type { TListSort, TSessionRequest } from "@ferry/protocol";
import { rowsOnScreen } from "./list-geometry";
import { isDefaultSort, loadSortChoice, parseSortId } from "./list-sort";

/**
 * Whether the address shows INBOX's head, as lib/route reads it (that module is the mailbox's):
 * no folder or INBOX, no search.
 */
function showsInboxHead(p: URLSearchParams): boolean {
  return (p.get("folder") || "INBOX") === "INBOX" && !p.get("q")?.trim();
}

/**
 * The order the list will open in, as hooks/use-list-view.ts picks it: the address's, else the
 * one `email` last chose in this browser. Whether the server can SORT is not known yet: the
 * bridge answers with no window when it cannot.
 */
function sortToShow(p: URLSearchParams, email: string): TListSort | null {
  return parseSortId(p.get("sort")) ?? loadSortChoice(email.trim());
}

/**
 * The window to ask for, of `conversations` (the view the page would show) in the default order,
 * or of messages in another order (conversations group the default order only); none if the
 * page will not show INBOX's head first.
 */
export function firstWindowToAsk(conversations: boolean, email: string): TSessionRequest["inbox"] {
  if (typeof window === "undefined") return undefined;
  const p = new URLSearchParams(window.location.search);
  if (!showsInboxHead(p)) return undefined;
  const sort = sortToShow(p, email);
  if (sort && !isDefaultSort(sort)) return { conversations: false, rows: rowsOnScreen(), sort };
  return { conversations, rows: rowsOnScreen() };
}
