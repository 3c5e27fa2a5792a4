/** The state of the link to the bridge and of the bridge's link to the mail server. */
import type { TConnectionState } from "@ferry/protocol";
import { useSyncExternalStore } from "react";
import { socket } from "@/lib/mail-client";
import type { SocketStatus } from "@/lib/socket";

export interface ConnectionState {
  socket: SocketStatus;
  imap: TConnectionState;
}

let last: ConnectionState = { socket: "idle", imap: "online" };

function read(): ConnectionState {
  const s = socket.getStatus();
  const i = socket.getImapState();
  if (s !== last.socket || i !== last.imap) last = { socket: s, imap: i };
  return last;
}

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore((l) => socket.onStatusChange(l), read, read);
}
