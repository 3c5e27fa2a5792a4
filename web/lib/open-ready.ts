/**
 * Opening a message nobody fetched ahead in one round trip and one render: the message is asked
 * for at once, and the reader is shown (`go`) when its text is in, so the reader's first render
 * already has the text, instead of rendering an empty reader first and the text again when it
 * arrives. A message already cached opens at once; one that takes longer than READY_WAIT_MS (a
 * slow server, a large HTML part) opens then, as before, with its placeholder. A newer open
 * replaces a waiting one, and one whose page moved elsewhere meanwhile is dropped.
 */
import type { TMessageRef } from "@ferry/protocol";
import { hashKey, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { keys, type MessageData, prefetchMessage, queryClient } from "./mail-client";

/** The longest an open waits for its text before the reader shows without it. */
export const READY_WAIT_MS = 50;

/** A message the reader can show whole in its first render: every text part is in. */
export function messageReady(data: MessageData | undefined): boolean {
  if (!data) return false;
  return data.complete || (data.bodies.length > 0 && data.bodies.every((b) => b.done));
}

export interface ReadyWait {
  client: QueryClient;
  key: QueryKey;
  /** Starts the fetch (deduplicated by the cache). */
  start(): void;
  ready(data: unknown): boolean;
  /** Also waited for (the reader's code); a failure does not hold the open back. */
  also?: Promise<unknown> | undefined;
  waitMs: number;
  /** Still wanted when it is time (the page did not move elsewhere meanwhile). */
  stillWanted(): boolean;
  go(): void;
}

let cancelPending: (() => void) | null = null;

/**
 * Runs `w.go` once the query `w.key` holds ready data (or has failed), and `w.also` settled, or
 * after `w.waitMs`; at once (synchronously) when both already hold. Replaces a waiting call.
 */
export function goWhenReady(w: ReadyWait): void {
  cancelPending?.();
  cancelPending = null;
  const queryReady = () => {
    const state = w.client.getQueryState(w.key);
    return state?.status === "error" || w.ready(state?.data);
  };
  let alsoDone = w.also === undefined;
  if (queryReady() && alsoDone) {
    w.go();
    return;
  }
  w.start();
  let done = false;
  const cancel = () => {
    if (done) return;
    done = true;
    unsubscribe();
    clearTimeout(timer);
    if (cancelPending === cancel) cancelPending = null;
  };
  const finish = () => {
    if (done) return;
    cancel();
    if (w.stillWanted()) w.go();
  };
  const check = () => {
    if (alsoDone && queryReady()) finish();
  };
  const hash = hashKey(w.key);
  const unsubscribe = w.client.getQueryCache().subscribe((event) => {
    if (event.query.queryHash === hash) check();
  });
  const timer = setTimeout(finish, w.waitMs);
  void w.also
    ?.then(
      () => undefined,
      () => undefined,
    )
    .then(() => {
      alsoDone = true;
      check();
    });
  cancelPending = cancel;
  check();
}

/**
 * Opens the message `ref` (`go` navigates to it) once its text is in: see the module comment.
 * `also` is waited for too (the reader's code).
 */
export function openWhenReady(ref: TMessageRef, go: () => void, also?: Promise<unknown>): void {
  const at = typeof location === "undefined" ? "" : location.href;
  goWhenReady({
    client: queryClient,
    key: keys.message(ref),
    start: () => prefetchMessage(ref),
    ready: (data) => messageReady(data as MessageData | undefined),
    also,
    waitMs: READY_WAIT_MS,
    stillWanted: () => typeof location === "undefined" || location.href === at,
    go,
  });
}
