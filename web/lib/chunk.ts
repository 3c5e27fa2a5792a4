/**
 * A code-split chunk that is rendered without a Suspense boundary.
 *
 * With React.lazy (or `next/dynamic`) the first render suspends, and React keeps a fallback it
 * has just shown for at least 300 ms (its fallback throttle): a chunk that arrives in 10 ms still
 * shows after 300 ms. The benchmark caught it twice, on sign-in (the mailbox chunk) and on the
 * first message opened (the reader chunk). A `Chunk` is fetched once, ahead of need where the
 * caller can tell (`preload`: hover, focus, idle time), and a component renders its module as
 * soon as it is there (`useModule`), showing its own placeholder until then.
 */
import { useEffect, useState } from "react";

export interface Chunk<M> {
  /** Start fetching (idempotent); a failed fetch is retried by the next call. */
  preload(): Promise<M>;
  /** The module if it has arrived. */
  readonly loaded: M | null;
  /**
   * The module once loaded, null until then. While `wanted` (default true) and not loaded, it
   * fetches, retrying every second after a failure (a network hiccup must not leave a blank pane).
   */
  useModule(wanted?: boolean): M | null;
}

const RETRY_MS = 1000;

export function chunk<M>(load: () => Promise<M>): Chunk<M> {
  let loaded: M | null = null;
  let loading: Promise<M> | null = null;

  function preload(): Promise<M> {
    loading ??= load().then(
      (m) => {
        loaded = m;
        return m;
      },
      (err: unknown) => {
        loading = null;
        throw err;
      },
    );
    return loading;
  }

  function useModule(wanted = true): M | null {
    const [mod, setMod] = useState<M | null>(loaded);
    useEffect(() => {
      if (mod || !wanted) return;
      let live = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const attempt = () => {
        preload().then(
          (m) => {
            if (live) setMod(m);
          },
          () => {
            if (live) timer = setTimeout(attempt, RETRY_MS);
          },
        );
      };
      attempt();
      return () => {
        live = false;
        clearTimeout(timer);
      };
    }, [mod, wanted]);
    return mod ?? loaded;
  }

  return {
    preload,
    get loaded() {
      return loaded;
    },
    useModule,
  };
}
