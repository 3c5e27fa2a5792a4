/**
 * What the message list shows for the route: the folder (opened on the bridge, maybe read-only),
 * the search, the order (the user's saved choice unless the server cannot sort) and whether it
 * is grouped in conversations, and the list's rows. `listKey` names that list.
 */
import type { TListSort } from "@ferry/protocol";
import { useEffect, useState } from "react";
import { FerryError } from "@/lib/errors";
import type { ListData } from "@/lib/list-cache";
import {
  effectiveSort,
  isDefaultSort,
  loadSortChoice,
  saveSortChoice,
  searchesOtherFolders,
  sortId,
} from "@/lib/list-sort";
import { navigate, type Route } from "@/lib/route";
import { useSettings } from "@/lib/settings";
import { useMessageList } from "./use-message-list";
import { useOpenedMailbox } from "./use-opened-mailbox";

export function useListView(route: Route, email: string) {
  const opened = useOpenedMailbox(route.folder, route.ro);
  const readOnly = route.ro || opened.data?.readOnly === true;
  const [savedSort, setSavedSort] = useState(() => loadSortChoice(email));
  const [serverCanSort, setServerCanSort] = useState(true);
  const otherFolders = searchesOtherFolders(route.q);
  const sort = effectiveSort(route.sort ?? null, savedSort, serverCanSort && !otherFolders);
  // Conversation view groups the plain list only (not a search, not another order).
  const conversations = useSettings().conversations && route.q === null && isDefaultSort(sort);
  const list = useMessageList(route.folder, route.q, sort, conversations);
  const listCanSort = list.data?.canSort;
  useEffect(() => {
    if (listCanSort !== undefined) setServerCanSort(listCanSort);
  }, [listCanSort]);
  const chooseSort = (next: TListSort) => {
    saveSortChoice(email, next);
    setSavedSort(next);
    navigate({ sort: next }, { replace: true });
  };
  const data: ListData | undefined = list.data;
  const searchError =
    list.error instanceof FerryError && list.error.code === "search_syntax" ? list.error : null;
  // Results from several folders are addressed by their own folder, not this one: the actions
  // (which act on UIDs of `route.folder`) are off for them.
  const uidValidity = otherFolders ? null : (data?.uidValidity ?? opened.data?.uidValidity ?? null);
  const listKey = `${route.folder}\u0000${route.q ?? ""}\u0000${sortId(sort)}`;
  return {
    readOnly,
    sort,
    chooseSort,
    serverCanSort,
    otherFolders,
    conversations,
    data,
    searchError,
    uidValidity,
    listKey,
  };
}
