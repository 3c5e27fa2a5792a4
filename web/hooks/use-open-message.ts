/**
 * The open message. `useOpenMessage`: which one the route has open, its row in the list (the
 * cursor follows it) and the reader's code (fetched while idle once the list has painted).
 * `useOpenActions`: opening a row (in the reader, in its own folder for a result from another
 * folder, in the composer for a draft), closing it, and opening a folder.
 */
import type { TMailbox, TMessageRow } from "@ferry/protocol";
import { useCallback, useEffect } from "react";
import { flushSync } from "react-dom";
import { preloadReader, readerChunk } from "@/components/reader-chunk";
import { openComposer } from "@/lib/compose/store";
import { whenIdle } from "@/lib/idle";
import { findRow, type ListData } from "@/lib/list-cache";
import { prefetchMessage } from "@/lib/mail-client";
import { openWhenReady } from "@/lib/open-ready";
import { goBack, navigate, type Route } from "@/lib/route";
import { prefetchConversationMembers } from "./use-conversation-members";

export function useOpenMessage(
  route: Route,
  data: ListData | undefined,
  setCursor: (index: number) => void,
) {
  const openRef = route.msg ? { mailbox: route.folder, ...route.msg } : null;
  const Reader = readerChunk.useModule(openRef !== null)?.Reader;
  // Once the first rows are on screen, fetch the reader's code while the page is idle.
  const listPainted = data !== undefined;
  useEffect(() => {
    if (!listPainted || readerChunk.loaded) return;
    return whenIdle(preloadReader);
  }, [listPainted]);
  const openFound = route.msg ? findRow(data, route.msg.uid) : null;
  const openIndex = openFound?.index ?? null;
  useEffect(() => {
    if (openIndex !== null) setCursor(openIndex);
  }, [openIndex, setCursor]);
  return { openRef, Reader, openFound, openIndex };
}

export function useOpenActions(p: {
  route: Route;
  data: ListData | undefined;
  current: TMailbox | undefined;
  setCursor: (index: number) => void;
}) {
  const { route, data, current, setCursor } = p;
  const openMessage = useCallback(
    (row: TMessageRow, index: number, opts: { replace?: boolean } = {}) => {
      if (row.mailbox !== undefined && row.uidValidity !== undefined) {
        // A result from another folder opens there; the search stays on screen.
        setCursor(index);
        navigate(
          { folder: row.mailbox, msg: { uidValidity: row.uidValidity, uid: row.uid }, view: null },
          opts.replace ? { replace: true } : { backable: true },
        );
        return;
      }
      if (!data?.uidValidity) return;
      if (current?.specialUse === "drafts") {
        // A draft opens in the composer, to be finished there.
        setCursor(index);
        openComposer({
          kind: "context",
          mode: "draft",
          ref: { mailbox: route.folder, uidValidity: data.uidValidity, uid: row.uid },
        });
        return;
      }
      const { uidValidity, rows } = data;
      const mailbox = route.folder;
      const conversation = data.conversations?.[row.uid];
      // Asked for now; the reader shows once its text is in, in one render (lib/open-ready.ts).
      openWhenReady(
        { mailbox, uidValidity, uid: row.uid },
        () => {
          flushSync(() => {
            setCursor(index);
            navigate(
              { msg: { uidValidity, uid: row.uid }, view: null },
              opts.replace ? { replace: true } : { backable: true },
            );
          });
          // The neighbours are likely next (j/k): fetched ahead after this paint, not before it.
          whenIdle(() => {
            for (const n of [index + 1, index - 1]) {
              const r = rows[n];
              if (r) prefetchMessage({ mailbox, uidValidity, uid: r.uid });
            }
          });
        },
        readerChunk.loaded ? undefined : readerChunk.preload(),
      );
      // Its conversation's other messages are asked next: the bridge answers one request at a
      // time, and the text comes first.
      if (conversation)
        prefetchConversationMembers(conversation, { mailbox, uidValidity, uid: row.uid });
    },
    [data, route.folder, setCursor, current?.specialUse],
  );
  const closeMessage = useCallback(() => goBack({ msg: null }), []);
  const openFolder = useCallback((path: string, ro: boolean) => {
    navigate({ folder: path, msg: null, q: null, ro, view: null });
  }, []);
  return { openMessage, closeMessage, openFolder };
}
