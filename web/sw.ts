/**
 * Ferry's service worker (bundled to out/sw.js by scripts/build-sw.mjs after `next build`): it
 * precaches the app shell of one build (HTML, scripts, styles, icons, the manifest) so the app
 * starts with no network, and answers app navigations with the cached page. It caches nothing
 * else: mail stays in the page's IndexedDB, and /api and /ws always go to the bridge. A new
 * build installs in the background and waits until the page asks it to take over
 * (lib/service-worker.ts), so a tab never changes version under the user.
 */
import { type PrecacheEntry, Serwist } from "serwist";

/** The parts of ServiceWorkerGlobalScope used here (the web app's types are the DOM's). */
declare const self: {
  __SW_MANIFEST: (PrecacheEntry | string)[];
  skipWaiting(): Promise<void>;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
};

/** The message the page sends when the user chooses to reload into the new version. */
const SKIP_WAITING = "SKIP_WAITING";

self.addEventListener("message", (event) => {
  const data = event.data;
  if (typeof data === "object" && data !== null && "type" in data && data.type === SKIP_WAITING) {
    void self.skipWaiting();
  }
});

const serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  precacheOptions: {
    cleanupOutdatedCaches: true,
    navigateFallback: "/index.html",
    navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/ws$/],
  },
  skipWaiting: false,
  clientsClaim: false,
  navigationPreload: false,
  disableDevLogs: true,
});

serwist.addEventListeners();
