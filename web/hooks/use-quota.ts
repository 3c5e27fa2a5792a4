/** The user's storage quota: fetched once, then kept fresh by `quota.changed` events. */
import type { TQuota } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { fetchQuota, keys } from "@/lib/mail-client";

/** The quota, or null when the server has none (or before it is known). */
export function useQuota(): TQuota | null {
  return useQuery({ queryKey: keys.quota, queryFn: fetchQuota }).data ?? null;
}
