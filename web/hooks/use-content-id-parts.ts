/** The Content-IDs of a message's inline parts, for HtmlFrame's `cid:` links. */
import type { TAttachment } from "@ferry/protocol";
import { useMemo } from "react";

/** An inline part's Content-ID (as written and lower-cased) → its part number, for HtmlFrame. */
export function useContentIdParts(
  attachments: readonly TAttachment[] | undefined,
): Map<string, string> {
  return useMemo(() => {
    const m = new Map<string, string>();
    for (const a of attachments ?? []) {
      if (a.contentId) {
        m.set(a.contentId, a.part);
        m.set(a.contentId.toLowerCase(), a.part);
      }
    }
    return m;
  }, [attachments]);
}
