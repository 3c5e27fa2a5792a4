/**
 * The list's selection (checked rows, with the anchor a shift-click extends from) and its
 * keyboard cursor, both per list (`listKey`: folder, search and order): another list starts
 * with none selected and the cursor on top. `useSelectionEdits` makes the row and header
 * checkboxes' changes.
 */
import type { TListSort, TMessageRow } from "@ferry/protocol";
import { type Dispatch, type SetStateAction, useCallback, useState } from "react";
import type { ListData } from "@/lib/list-cache";
import { ensureRange } from "@/lib/mail-client";
import type { Route } from "@/lib/route";

const EMPTY = new Set<number>();

export interface Selection {
  key: string;
  uids: Set<number>;
  anchor: number | null;
}

export function useListSelection(listKey: string) {
  const [selection, setSelection] = useState<Selection>({
    key: listKey,
    uids: new Set(),
    anchor: null,
  });
  const selected = selection.key === listKey ? selection.uids : EMPTY;
  const [cursorState, setCursorState] = useState({ key: listKey, index: 0 });
  const cursor = cursorState.key === listKey ? cursorState.index : 0;
  const setCursor = useCallback(
    (index: number) =>
      setCursorState((was) =>
        was.key === listKey && was.index === index ? was : { key: listKey, index },
      ),
    [listKey],
  );
  return { selected, setSelection, cursor, setCursor };
}

export function useSelectionEdits(p: {
  listKey: string;
  data: ListData | undefined;
  route: Route;
  sort: TListSort;
  conversations: boolean;
  setSelection: Dispatch<SetStateAction<Selection>>;
}) {
  const { listKey, data, route, sort, conversations, setSelection } = p;
  const toggleSelect = useCallback(
    (row: TMessageRow, index: number, range: boolean) => {
      setSelection((prev) => {
        const base =
          prev.key === listKey ? prev : { key: listKey, uids: new Set<number>(), anchor: null };
        const uids = new Set(base.uids);
        if (range && base.anchor !== null && data) {
          const [a, b] = base.anchor < index ? [base.anchor, index] : [index, base.anchor];
          for (let i = a; i <= b; i++) {
            const r = data.rows[i];
            if (r) uids.add(r.uid);
          }
        } else if (uids.has(row.uid)) {
          uids.delete(row.uid);
        } else {
          uids.add(row.uid);
        }
        return { key: listKey, uids, anchor: index };
      });
    },
    [listKey, data],
  );

  const selectAll = useCallback(
    (on: boolean) => {
      if (!on || !data) {
        setSelection({ key: listKey, uids: new Set(), anchor: null });
        return;
      }
      // Everything loaded; in a small folder, fetch the rest first so "all" means all.
      if (data.total <= 500) ensureRange(route.folder, route.q, 0, data.total, sort, conversations);
      setSelection({
        key: listKey,
        uids: new Set(Object.values(data.rows).map((r) => r.uid)),
        anchor: null,
      });
    },
    [data, listKey, route.folder, route.q, sort],
  );
  return { toggleSelect, selectAll };
}
