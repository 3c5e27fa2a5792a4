/**
 * The signed-in app (socket, cache, panes) is its own chunk, loaded without a Suspense boundary
 * (see `lib/chunk.ts`). It is fetched while the sign-in page is idle or the sign-in request is
 * in flight, so it is usually there before the bridge answers.
 */
import { chunk } from "@/lib/chunk";
import { onSignedIn } from "@/lib/session";

export const mailRootChunk = chunk(() => import("./mail-root"));

// A sign-in that just succeeded starts the socket and the first requests at once (the chunk is
// normally loaded by then; otherwise as soon as it is).
onSignedIn(() => {
  const loaded = mailRootChunk.loaded;
  if (loaded) loaded.startEarly();
  else
    void mailRootChunk.preload().then(
      (m) => m.startEarly(),
      () => undefined,
    );
});
