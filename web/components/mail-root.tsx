"use client";
import type { TMailbox } from "@ferry/protocol";
import { hydrate } from "@tanstack/react-query";
import {
  type PersistedClient,
  PersistQueryClientProvider,
} from "@tanstack/react-query-persist-client";
import { useEffect, useMemo, useRef } from "react";
import { listFromSignIn } from "@/lib/list-cache";
import {
  effectiveSort,
  isDefaultSort,
  loadSortChoice,
  searchesOtherFolders,
} from "@/lib/list-sort";
import {
  currentEpoch,
  fetchListHead,
  fetchMailboxes,
  keys,
  queryClient,
  socket,
  startClient,
  stopClient,
} from "@/lib/mail-client";
import { takeSnapshot } from "@/lib/mailbox-snapshot";
import { badgeUnread, endBurstOnVisible, noticeNewMail } from "@/lib/new-mail-alerts";
import { startOfflineSync } from "@/lib/offline-sync";
import {
  CACHE_MAX_AGE,
  CACHE_VERSION,
  clearPersisted,
  createPersister,
  shouldPersist,
} from "@/lib/persist";
import { getRoute } from "@/lib/route";
import { onSessionEnd, type SignedIn, sessionExpired, setListViewGuess } from "@/lib/session";
import { getSettings } from "@/lib/settings";
import { watchVersionSkew } from "@/lib/version-skew";
import { MailApp } from "./mail-app";

export { RowTextWarmup } from "./row-text-warmup";

// The sign-in's first window (lib/first-window.ts) is of the view the user's settings say, as
// far as this page knows them.
setListViewGuess(() => getSettings().conversations);

/**
 * Right after a sign-in, before the mailbox renders: put INBOX's first window, when the sign-in
 * answer carried it, in the cache (the mailbox's first render paints its rows), open the socket
 * and ask for the folders and for the list on screen if it is not that one. The requests wait in
 * the socket for its hello and go out together; the panes then find them in flight (or
 * answered) instead of asking only once they have rendered and the (empty, after a sign-in)
 * persisted cache has been restored. The socket's hello has the list on screen asked for again,
 * in revision order, so nothing changed since the sign-in is missed.
 */
export function startEarly(signedIn: SignedIn): void {
  startClient();
  const inbox = signedIn.inbox;
  if (inbox) {
    queryClient.setQueryData(
      keys.list(inbox.mailbox, null, inbox.sort, inbox.conversations !== undefined),
      listFromSignIn(inbox, currentEpoch()),
    );
  }
  // The list as hooks/use-list-view.ts will ask for it: in the user's kept order, which is not
  // grouped in conversations unless it is the default.
  const { folder, q, sort: routeSort } = getRoute();
  const sort = effectiveSort(
    routeSort ?? null,
    loadSortChoice(signedIn.email),
    !searchesOtherFolders(q),
  );
  const ordered = isDefaultSort(sort) ? undefined : sort;
  const conversations = getSettings().conversations && q === null && ordered === undefined;
  const key = keys.list(folder, q, ordered, conversations);
  if (queryClient.getQueryData(key) === undefined) {
    void queryClient.prefetchQuery({
      queryKey: key,
      queryFn: () => fetchListHead(folder, q, ordered, conversations),
    });
  }
  void queryClient.prefetchQuery({ queryKey: keys.mailboxes, queryFn: fetchMailboxes });
}

/**
 * At a reload, before the mailbox first renders: the persisted cache (read early, see
 * mail-root-loader.ts) goes into the query cache when it is `email`'s and not too old, so the
 * first render paints the cached folders and rows. The provider below restores the same copy
 * again (a no-op for what is here already) and persists from then on.
 */
export function paintFromCache(persisted: PersistedClient | undefined, email: string): void {
  if (!persisted || persisted.buster !== `${CACHE_VERSION}:${email}`) return;
  if (persisted.timestamp < Date.now() - CACHE_MAX_AGE) return;
  hydrate(queryClient, persisted.clientState);
}

/**
 * The signed-in app: the query cache restored from IndexedDB (so the last-seen folders and list
 * paint before the socket connects) and saved there with a snapshot of the mailbox as shown
 * (lib/mailbox-snapshot.ts, painted by the next reload before this chunk arrives), the socket
 * started, cleanup when the session ends, and the page reloaded when the bridge turns out to
 * speak another protocol version (lib/version-skew), new mail told about while the tab is hidden
 * (lib/new-mail-alerts), and what was done offline replayed on each connection (lib/offline-sync).
 */
export function MailRoot({ email }: { email: string }) {
  const root = useRef<HTMLDivElement>(null);
  const persister = useMemo(
    () => createPersister(() => (root.current ? takeSnapshot(root.current, email) : null)),
    [email],
  );

  useEffect(() => {
    const offEnd = onSessionEnd(async () => {
      const cleared = clearPersisted();
      stopClient();
      await cleared;
    });
    const offSignedOut = socket.onSignedOut(() => sessionExpired());
    startClient();
    return () => {
      offEnd();
      offSignedOut();
    };
  }, []);
  useEffect(() => watchVersionSkew(email, socket), [email]);
  useEffect(() => startOfflineSync(), []);
  useEffect(() => {
    const offEvent = socket.onEvent(noticeNewMail);
    document.addEventListener("visibilitychange", endBurstOnVisible);
    const badge = () => badgeUnread(queryClient.getQueryData<TMailbox[]>(keys.mailboxes));
    badge();
    const offCache = queryClient.getQueryCache().subscribe((e) => {
      if (e.query.queryKey[0] === keys.mailboxes[0]) badge();
    });
    return () => {
      offEvent();
      offCache();
      document.removeEventListener("visibilitychange", endBurstOnVisible);
    };
  }, []);

  return (
    <PersistQueryClientProvider
      client={queryClient}
      persistOptions={{
        persister,
        buster: `${CACHE_VERSION}:${email}`,
        maxAge: CACHE_MAX_AGE,
        dehydrateOptions: { shouldDehydrateQuery: shouldPersist },
      }}
    >
      <div ref={root} className="contents">
        <MailApp email={email} />
      </div>
    </PersistQueryClientProvider>
  );
}
