/**
 * The signed-in app (socket, cache, panes) is its own chunk, loaded without a Suspense boundary
 * (see `lib/chunk.ts`). It is fetched while the sign-in page is idle or the sign-in request is
 * in flight, so it is usually there before the bridge answers; at a reload of a remembered
 * account, from the page's start, together with the persisted cache, which is in the query cache
 * before the chunk counts as loaded (so the mailbox's first render paints the cached rows).
 */
import { chunk } from "@/lib/chunk";
import { readPersistedEarly } from "@/lib/persist";
import { onSignedIn, rememberedAccount } from "@/lib/session";

/** How long the mailbox's first render waits for the persisted cache at a reload. */
const CACHE_WAIT_MS = 1000;

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => resolve(undefined),
    );
  });
}

export const mailRootChunk = chunk(() => {
  const account = rememberedAccount();
  const cached = account === null ? null : readPersistedEarly();
  return import("./mail-root").then(async (m) => {
    if (account !== null && cached) m.paintFromCache(await within(cached, CACHE_WAIT_MS), account);
    return m;
  });
});

// A reload of someone's mailbox: the mailbox's chunk and the cached mail are fetched from the
// first moment, not once the page has rendered and confirmed the session.
if (typeof window !== "undefined" && rememberedAccount() !== null) {
  void mailRootChunk.preload().catch(() => undefined);
}

// A sign-in that just succeeded fills the cache with the first rows its answer carried and
// starts the socket and the first requests at once (the chunk is normally loaded by then;
// otherwise as soon as it is).
onSignedIn((signedIn) => {
  const loaded = mailRootChunk.loaded;
  if (loaded) loaded.startEarly(signedIn);
  else
    void mailRootChunk.preload().then(
      (m) => m.startEarly(signedIn),
      () => undefined,
    );
});
