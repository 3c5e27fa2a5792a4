/**
 * The upload limits in force for the composer: asks the bridge for its own (/api/config) and
 * re-renders when they arrive (web/lib/compose/limits.ts keeps them).
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { fetchPublicConfig, PUBLIC_CONFIG_KEY } from "@/lib/api";
import {
  applyUploadLimits,
  subscribeUploadLimits,
  type UploadLimits,
  uploadLimits,
} from "@/lib/compose/limits";

export function useUploadLimits(): UploadLimits {
  const config = useQuery({ queryKey: PUBLIC_CONFIG_KEY, queryFn: fetchPublicConfig, gcTime: 0 });
  useEffect(() => {
    if (config.data) applyUploadLimits(config.data);
  }, [config.data]);
  return useSyncExternalStore(subscribeUploadLimits, uploadLimits, uploadLimits);
}
