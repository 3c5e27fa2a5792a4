/**
 * Who listens to the browser's socket (lib/socket.ts): the status, pushed events, each hello,
 * the bridge signing the session out, and a protocol version mismatch. FerrySocket extends this
 * class, so its listeners' API is `socket.onEvent(…)` and so on; the emit methods are for the
 * socket alone. A failing event listener is logged and does not stop the others.
 */
import type { TPushedEvent } from "@ferry/protocol";

export type Listener<T> = (value: T) => void;

export class SocketListeners {
  private readonly statusListeners = new Set<() => void>();
  private readonly eventListeners = new Set<Listener<TPushedEvent>>();
  private readonly openListeners = new Set<Listener<{ reconnect: boolean }>>();
  private readonly signedOutListeners = new Set<() => void>();
  private readonly mismatchListeners = new Set<Listener<{ bridgeVersion: number | null }>>();

  onStatusChange(l: () => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  onEvent(l: Listener<TPushedEvent>): () => void {
    this.eventListeners.add(l);
    return () => this.eventListeners.delete(l);
  }

  /** Called after each hello; `reconnect` is true for every hello after the first. */
  onOpen(l: Listener<{ reconnect: boolean }>): () => void {
    this.openListeners.add(l);
    return () => this.openListeners.delete(l);
  }

  onSignedOut(l: () => void): () => void {
    this.signedOutListeners.add(l);
    return () => this.signedOutListeners.delete(l);
  }

  /** Called when the bridge turns out to speak another protocol version (its version if known). */
  onVersionMismatch(l: Listener<{ bridgeVersion: number | null }>): () => void {
    this.mismatchListeners.add(l);
    return () => this.mismatchListeners.delete(l);
  }

  protected emitStatus(): void {
    for (const l of this.statusListeners) l();
  }

  protected emitEvent(e: TPushedEvent): void {
    for (const l of this.eventListeners) {
      try {
        l(e);
      } catch (err) {
        console.error("ferry: event handler failed", err);
      }
    }
  }

  protected emitOpen(reconnect: boolean): void {
    for (const l of this.openListeners) l({ reconnect });
  }

  protected emitSignedOut(): void {
    for (const l of this.signedOutListeners) l();
  }

  protected emitMismatch(bridgeVersion: number | null): void {
    for (const l of this.mismatchListeners) l({ bridgeVersion });
  }
}
