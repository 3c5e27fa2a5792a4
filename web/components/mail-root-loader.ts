/**
 * Loads the signed-in app (socket, cache, panes: its own chunk) without a Suspense boundary.
 * With `next/dynamic` (React.lazy + Suspense) React keeps a fallback it has just shown for at
 * least 300 ms (its fallback throttle), so after a fast sign-in the mailbox — and the socket it
 * opens — waited on that timer, not on the network. Here the app renders as soon as the chunk
 * is there, and the chunk is fetched while the sign-in page is idle or the sign-in request is
 * in flight, so it is usually there before the bridge answers.
 */
import { useEffect, useState } from "react";
import { onSignedIn } from "@/lib/session";

type MailRootModule = typeof import("./mail-root");

let loaded: MailRootModule | null = null;
let loading: Promise<MailRootModule> | null = null;

/** Start fetching the signed-in app's chunk (idempotent). */
export function preloadMailRoot(): Promise<MailRootModule> {
  loading ??= import("./mail-root").then(
    (m) => {
      loaded = m;
      return m;
    },
    (err: unknown) => {
      loading = null; // let a later call retry (e.g. after a network hiccup)
      throw err;
    },
  );
  return loading;
}

// A sign-in that just succeeded starts the socket and the first requests at once (the chunk is
// normally loaded by then; otherwise as soon as it is).
onSignedIn(() => {
  if (loaded) loaded.startEarly();
  else
    void preloadMailRoot().then(
      (m) => m.startEarly(),
      () => undefined,
    );
});

/** The signed-in app's module once loaded (loading starts on the first call); null until then. */
export function useMailRootModule(): MailRootModule | null {
  const [mod, setMod] = useState<MailRootModule | null>(loaded);
  useEffect(() => {
    if (mod) return;
    let live = true;
    const retry = () => {
      preloadMailRoot().then(
        (m) => {
          if (live) setMod(m);
        },
        () => {
          if (live) setTimeout(retry, 1000);
        },
      );
    };
    retry();
    return () => {
      live = false;
    };
  }, [mod]);
  return mod;
}
