/**
 * The list header's count ("40 messages", "3 results", "17,449 conversations"), and what the
 * list's rows tell assistive technology of the whole (`aria-setsize`): a large folder's first
 * windows of conversations count them from its newest messages, so until the bridge has threaded
 * the whole folder the header says "About 31,850 conversations" and the rows say the size is
 * unknown (-1, as ARIA asks), rather than a number that then jumps.
 */
import { t } from "./i18n";
import type { ListData } from "./list-cache";

export function listCountText(
  data: Pick<ListData, "total" | "estimated">,
  kind: { search: boolean; conversations: boolean },
): string {
  const count = data.total;
  if (kind.search) return t("list.searchCount", { count });
  if (!kind.conversations) return t("list.count", { count });
  return t(data.estimated ? "list.conversationCountEstimated" : "list.conversationCount", {
    count,
  });
}

/** `aria-setsize` of the list's rows: -1 while the total is an estimate. */
export function listSetSize(data: Pick<ListData, "total" | "estimated"> | undefined): number {
  if (!data) return 0;
  return data.estimated ? -1 : data.total;
}
