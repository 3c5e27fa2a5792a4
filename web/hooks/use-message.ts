/** One message: headers as soon as they arrive, then the body as it streams in. */
import type { TMessageRef } from "@ferry/protocol";
import { useQuery } from "@tanstack/react-query";
import { fetchMessage, keys, type MessageData } from "@/lib/mail-client";

export function useMessage(ref: TMessageRef | null) {
  return useQuery<MessageData, Error>({
    queryKey: ref ? keys.message(ref) : ["message", "none"],
    queryFn: () => {
      if (!ref) throw new Error("no message");
      return fetchMessage(ref);
    },
    enabled: ref !== null,
  });
}
