/**
 * The composer's data from the bridge: the user's identities (From addresses with signatures)
 * and address suggestions as the user types a recipient. Neither is persisted to IndexedDB
 * (only folders, lists and messages are).
 */
import type { TAddress, TIdentity } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { queryClient, socket } from "@/lib/mail-client";

export const identitiesKey = ["identities"] as const;

export function useIdentities() {
  return useQuery<TIdentity[], Error>({
    queryKey: identitiesKey,
    queryFn: async () => (await socket.request({ type: "identities.list" })).identities,
    staleTime: 5 * 60_000,
  });
}

/** Replaces the user's identities; the cache gets what the bridge kept. */
export async function saveIdentities(identities: TIdentity[]): Promise<TIdentity[]> {
  const reply = await socket.requestNow({ type: "identities.save", identities });
  queryClient.setQueryData(identitiesKey, reply.identities);
  return reply.identities;
}

/** A value that follows `value` after it has been still for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

/** Addresses from the user's mail starting with `prefix` (debounced; none for an empty prefix). */
export function useContactSuggestions(prefix: string): TAddress[] {
  const wanted = useDebounced(prefix.trim(), 150);
  const query = useQuery<TAddress[], Error>({
    queryKey: ["contacts", wanted.toLowerCase()],
    queryFn: async () =>
      (await socket.request({ type: "contacts.suggest", prefix: wanted.slice(0, 100), limit: 8 }))
        .contacts,
    enabled: wanted.length > 0,
    staleTime: 60_000,
    gcTime: 5 * 60_000,
    retry: false,
  });
  return wanted.length > 0 && prefix.trim().length > 0 ? (query.data ?? []) : [];
}
