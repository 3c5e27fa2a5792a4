"use client";
import type { TMailbox } from "@ferry/protocol";
import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { useEffect, useMemo } from "react";
import {
  fetchListHead,
  fetchMailboxes,
  keys,
  queryClient,
  socket,
  startClient,
  stopClient,
} from "@/lib/mail-client";
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
import { onSessionEnd, sessionExpired } from "@/lib/session";
import { watchVersionSkew } from "@/lib/version-skew";
import { MailApp } from "./mail-app";

/**
 * Right after a sign-in, before the mailbox renders: open the socket and ask for the folders
 * and the first window of the list on screen. The requests wait in the socket for its hello and
 * go out together; the panes then find them in flight (or answered) instead of asking only once
 * they have rendered and the (empty, after a sign-in) persisted cache has been restored.
 */
export function startEarly(): void {
  startClient();
  const { folder, q } = getRoute();
  void queryClient.prefetchQuery({
    queryKey: keys.list(folder, q),
    queryFn: () => fetchListHead(folder, q),
  });
  void queryClient.prefetchQuery({ queryKey: keys.mailboxes, queryFn: fetchMailboxes });
}

/**
 * The signed-in app: the query cache restored from IndexedDB (so the last-seen folders and list
 * paint before the socket connects), the socket started, cleanup when the session ends, and the
 * page reloaded when the bridge turns out to speak another protocol version (lib/version-skew),
 * new mail told about while the tab is hidden (lib/new-mail-alerts), and what was done offline
 * replayed on each connection (lib/offline-sync).
 */
export function MailRoot({ email }: { email: string }) {
  const persister = useMemo(() => createPersister(), []);

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
      <MailApp email={email} />
    </PersistQueryClientProvider>
  );
}
