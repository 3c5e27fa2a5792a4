/**
 * Keeps the folder on screen open on the bridge (SELECT, or EXAMINE when read-only), so its
 * changes are pushed live. The reply says whether the server lets us change it.
 */
import { useQuery } from "@tanstack/react-query";
import { keys, openMailbox } from "@/lib/mail-client";

export function useOpenedMailbox(path: string, readOnly: boolean) {
  return useQuery({
    queryKey: keys.opened(path, readOnly),
    queryFn: () => openMailbox(path, readOnly),
    // Re-open whenever the folder comes back on screen: only one folder is open at a time.
    staleTime: 0,
    gcTime: 0,
  });
}
