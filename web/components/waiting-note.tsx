"use client";
/**
 * What a pane with nothing kept to show says while the bridge is out of reach: the page's first
 * connection (or a reconnection) under way, or no network. A pane with a kept copy shows that
 * instead (lib/persist.ts); one without must still say what is happening rather than stay an
 * empty white pane or a skeleton with no words, for as long as the connection takes. Not a
 * live region: the header's "Connecting…" pill and the status bar already announce the state.
 */
import { useConnectionState } from "@/hooks/use-connection-state";

/** "connecting" or "offline" while no socket is up; null once it is (or it never will be). */
export function useNotConnected(): "connecting" | "offline" | null {
  const { socket } = useConnectionState();
  if (socket === "offline") return "offline";
  if (socket === "idle" || socket === "connecting" || socket === "reconnecting") {
    return "connecting";
  }
  return null;
}

/** The sentence for the state, or nothing once connected (the pane's own loading shows then). */
export function WaitingNote(p: { connecting: string; offline: string; className?: string }) {
  const state = useNotConnected();
  if (state === null) return null;
  return (
    <p
      data-testid="waiting-note"
      className={p.className ?? "px-6 py-16 text-center text-sm text-zinc-500"}
    >
      {state === "offline" ? p.offline : p.connecting}
    </p>
  );
}
