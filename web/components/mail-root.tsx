"use client";
import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { useEffect, useMemo } from "react";
import { queryClient, socket, startClient, stopClient } from "@/lib/mail-client";
import {
  CACHE_MAX_AGE,
  CACHE_VERSION,
  clearPersisted,
  createPersister,
  shouldPersist,
} from "@/lib/persist";
import { onSessionEnd, sessionExpired } from "@/lib/session";
import { MailApp } from "./mail-app";

/**
 * The signed-in app: the query cache restored from IndexedDB (so the last-seen folders and list
 * paint before the socket connects), the socket started, and cleanup when the session ends.
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
