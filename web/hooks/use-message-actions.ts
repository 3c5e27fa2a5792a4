/**
 * What the actions do to the target messages (the selection, or else the open message; a
 * conversation row stands for all of its messages): flag, archive, delete, move, copy, snooze
 * and spam, moving on from an open message that leaves the folder. `useRowGestures`: a row's
 * star, swipe and drag. `useTargetFlags`: the target's flags, for the action bar's labels.
 */
import type { TMailbox, TMessageRow, TUidSet } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { type Dispatch, type SetStateAction, useCallback } from "react";
import type { ActionKind } from "@/components/action-bar";
import { FLAGGED, moveMessages, reasonOf, SEEN, setFlags } from "@/lib/actions";
import { conversationUids } from "@/lib/conversations";
import { copyMessages } from "@/lib/folders";
import { t } from "@/lib/i18n";
import type { ListData } from "@/lib/list-cache";
import { fetchMessage, keys, type MessageData } from "@/lib/mail-client";
import { navigate, type Route } from "@/lib/route";
import { snoozeMessages } from "@/lib/snooze";
import { showToast } from "@/lib/toasts";
import type { Selection } from "./use-list-selection";
import { folderLabel } from "./use-mailboxes";

interface OpenRef {
  mailbox: string;
  uidValidity: number;
  uid: number;
}

export function useMessageActions(p: {
  route: Route;
  data: ListData | undefined;
  targetUids: number[];
  readOnly: boolean;
  uidValidity: number | null;
  openRef: OpenRef | null;
  openIndex: number | null;
  isPhone: boolean;
  listKey: string;
  closeMessage: () => void;
  setSelection: Dispatch<SetStateAction<Selection>>;
}) {
  const {
    route,
    data,
    targetUids,
    readOnly,
    uidValidity,
    openRef,
    openIndex,
    isPhone,
    listKey,
    closeMessage,
    setSelection,
  } = p;
  const act = useCallback(
    (kind: ActionKind, uids: number[] = targetUids) => {
      if (uids.length === 0 || readOnly || uidValidity === null) return;
      const set: TUidSet = { mailbox: route.folder, uidValidity, uids };
      switch (kind) {
        case "read":
          void setFlags(set, [SEEN], []);
          return;
        case "unread":
          void setFlags(set, [], [SEEN]);
          return;
        case "star":
          void setFlags(set, [FLAGGED], []);
          return;
        case "unstar":
          void setFlags(set, [], [FLAGGED]);
          return;
        case "archive":
        case "delete": {
          const gone = new Set(uids);
          if (openRef && gone.has(openRef.uid)) {
            // Desktop: go on to the next (older) message; phone: back to the list.
            let next: TMessageRow | undefined;
            if (!isPhone && data && openIndex !== null) {
              for (let i = openIndex + 1; i < openIndex + 50 && !next; i++) {
                const r = data.rows[i];
                if (r && !gone.has(r.uid)) next = r;
              }
            }
            if (next && data?.uidValidity) {
              navigate(
                { msg: { uidValidity: data.uidValidity, uid: next.uid } },
                { replace: true },
              );
            } else {
              closeMessage();
            }
          }
          setSelection({ key: listKey, uids: new Set(), anchor: null });
          // In conversation view a row is a conversation: a row's key is its newest message.
          const rowCount = data?.conversations
            ? uids.filter((uid) => data.conversations?.[uid] !== undefined).length
            : 0;
          void moveMessages(kind, set, undefined, rowCount > 0 ? rowCount : undefined);
          return;
        }
      }
    },
    [
      targetUids,
      readOnly,
      uidValidity,
      route.folder,
      openRef,
      isPhone,
      data,
      openIndex,
      closeMessage,
      listKey,
    ],
  );

  const moveTo = useCallback(
    (to: TMailbox, uids: number[] = targetUids, from: string = route.folder) => {
      if (uids.length === 0 || readOnly || uidValidity === null) return;
      if (openRef && uids.includes(openRef.uid)) closeMessage();
      setSelection({ key: listKey, uids: new Set(), anchor: null });
      void moveMessages(
        "move",
        { mailbox: from, uidValidity, uids },
        { path: to.path, name: folderLabel(to) },
      );
    },
    [targetUids, readOnly, uidValidity, route.folder, openRef, closeMessage, listKey],
  );

  const snoozeTarget = (at: Date) => {
    if (targetUids.length === 0 || readOnly || uidValidity === null) return;
    const set = { mailbox: route.folder, uidValidity, uids: targetUids };
    if (openRef && targetUids.includes(openRef.uid)) closeMessage();
    setSelection({ key: listKey, uids: new Set(), anchor: null });
    const time = new Intl.DateTimeFormat(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    }).format(at);
    snoozeMessages(set, at).then(
      () => showToast({ text: t("snooze.done", { time }) }),
      (err: unknown) =>
        showToast({ tone: "error", text: t("snooze.failed", { reason: reasonOf(err) }) }),
    );
  };

  const spamTarget = (verdict: "spam" | "not-spam") => {
    const uids = targetUids;
    if (uids.length === 0 || readOnly || uidValidity === null) return;
    if (openRef && uids.includes(openRef.uid)) closeMessage();
    setSelection({ key: listKey, uids: new Set(), anchor: null });
    void moveMessages(verdict, { mailbox: route.folder, uidValidity, uids });
  };

  const copyTarget = (to: TMailbox) => {
    if (targetUids.length === 0 || uidValidity === null) return;
    void copyMessages(
      { mailbox: route.folder, uidValidity, uids: targetUids },
      to,
      folderLabel(to),
    );
  };

  return { act, moveTo, snoozeTarget, spamTarget, copyTarget };
}

export function useRowGestures(
  act: (kind: ActionKind, uids?: number[]) => void,
  data: ListData | undefined,
  selected: ReadonlySet<number>,
) {
  const toggleStar = useCallback(
    (row: TMessageRow) => {
      const starred = data?.conversations?.[row.uid]?.starred ?? row.flags.includes(FLAGGED);
      act(starred ? "unstar" : "star", conversationUids(data, [row.uid]));
    },
    [act, data],
  );
  const onSwipe = useCallback(
    (kind: "archive" | "delete", row: TMessageRow) => act(kind, conversationUids(data, [row.uid])),
    [act, data],
  );
  const dragUids = useCallback(
    (row: TMessageRow) => conversationUids(data, selected.has(row.uid) ? [...selected] : [row.uid]),
    [selected, data],
  );
  return { toggleStar, onSwipe, dragUids };
}

/**
 * The flags of what the actions apply to: the rows, or (an open message not in the loaded
 * rows, e.g. a deep link far down a folder) the message's own header.
 */
export function useTargetFlags(openRef: OpenRef | null, targetRows: TMessageRow[]) {
  const openHeader = useQuery({
    queryKey: openRef ? keys.message(openRef) : ["message", "none"],
    queryFn: () => (openRef ? fetchMessage(openRef) : null),
    enabled: false,
    select: (m: MessageData | null) => m?.header.flags ?? null,
  }).data;
  const targetFlags: string[][] =
    targetRows.length > 0 ? targetRows.map((r) => r.flags) : openHeader ? [openHeader] : [];
  const anyUnread = targetFlags.some((f) => !f.includes(SEEN));
  const allStarred = targetFlags.length > 0 && targetFlags.every((f) => f.includes(FLAGGED));
  return { anyUnread, allStarred };
}
