/**
 * Ferry's service worker (bundled to out/sw.js by scripts/build-sw.mjs after `next build`): it
 * precaches the app shell of one build (HTML, scripts, styles, icons, the manifest) so the app
 * starts with no network, and answers app navigations with the cached page; the build's
 * content-hashed files are answered from that precache by the browser itself (a static route),
 * without running this worker. It caches nothing else: mail stays in the page's IndexedDB, and
 * /api and /ws always go to the bridge. A new build installs in the background and waits until
 * the page asks it to take over (lib/service-worker.ts), so a tab never changes version under
 * the user.
 */
import { type PrecacheEntry, type RequestRule, Serwist } from "serwist";

/** The parts of ServiceWorkerGlobalScope used here (the web app's types are the DOM's). */
declare const self: {
  __SW_MANIFEST: (PrecacheEntry | string)[];
  skipWaiting(): Promise<void>;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "install", listener: (event: InstallEvent) => void): void;
  addEventListener(type: "activate", listener: (event: WaitingEvent) => void): void;
};

interface WaitingEvent {
  waitUntil(work: Promise<unknown>): void;
}

/** The install event, with its static routes (addRoutes) where the browser has them. */
interface InstallEvent extends WaitingEvent {
  addRoutes?: (rules: RequestRule[]) => Promise<void>;
}

/** The message the page sends when the user chooses to reload into the new version. */
const SKIP_WAITING = "SKIP_WAITING";

self.addEventListener("message", (event) => {
  const data = event.data;
  if (typeof data === "object" && data !== null && "type" in data && data.type === SKIP_WAITING) {
    void self.skipWaiting();
  }
});

/** This build's app shell, which the build step injects (the one mention it may have). */
const manifest = self.__SW_MANIFEST;

/**
 * The build's content-hashed files (their precache key is their URL): answered by the browser
 * straight from the precache (the Static Routing API, where the browser has it), with no fetch
 * event, so a start does not wait on this worker's thread for each of the page's first scripts
 * and styles; a file the precache lacks goes to the network.
 */
const STATIC_FILES = "/_next/static/*";

/**
 * The app's start page (`/`, no query): this worker keeps this build's copy under that URL in a
 * cache of its own, which a static route answers a navigation to it from, so a start (a reload,
 * an offline start) does not wait for this worker to start and run its fetch handler before the
 * page's first byte. The copy carries the page's headers (its CSP) as the bridge sent them, less
 * `Vary` (a navigation's Accept-Encoding is not the install's) and the encoding of a body that is
 * kept decoded. Other app paths take the fetch handler's fallback to the precached page.
 */
const SHELL_URL = "/";
const SHELL_CACHE_PREFIX = "ferry-shell-";
const SHELL_CACHE = `${SHELL_CACHE_PREFIX}${
  manifest
    .map((e) => (typeof e === "string" ? null : e))
    .find((e) => e?.url.replace(/^\//, "") === "index.html")?.revision ?? "none"
}`;

/**
 * Caches of older builds: their start pages, and the builds that kept the page's parser-blocking
 * theme script (then an external file) under its own URL. Activation deletes them.
 */
const OLD_CACHE_PREFIXES = [SHELL_CACHE_PREFIX, "ferry-boot-"];

/** Fetches the start page and keeps it in SHELL_CACHE for the static route. */
async function cacheShell(): Promise<void> {
  const res = await fetch(new Request(SHELL_URL, { cache: "reload" }));
  if (!res.ok) throw new Error(`start page: ${res.status}`);
  const headers = new Headers(res.headers);
  // The body kept is the decoded one.
  for (const name of ["Vary", "Content-Encoding", "Content-Length"]) headers.delete(name);
  const copy = new Response(await res.arrayBuffer(), { status: res.status, headers });
  await (await caches.open(SHELL_CACHE)).put(SHELL_URL, copy);
}

const serwist = new Serwist({
  precacheEntries: manifest,
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

self.addEventListener("install", (event) => {
  if (typeof event.addRoutes !== "function") return;
  // As the precache's: a failed copy fails the install, which is tried again later.
  event.waitUntil(cacheShell());
  event
    .addRoutes([
      {
        condition: { requestMethod: "GET", urlPattern: { pathname: STATIC_FILES } },
        source: { cacheName: serwist.precacheStrategy.cacheName },
      },
      {
        condition: {
          requestMethod: "GET",
          requestMode: "navigate",
          urlPattern: { pathname: SHELL_URL, search: "" },
        },
        source: { cacheName: SHELL_CACHE },
      },
    ])
    .catch(() => undefined); // refused: the fetch handler answers these from the precache
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter(
              (name) => name !== SHELL_CACHE && OLD_CACHE_PREFIXES.some((p) => name.startsWith(p)),
            )
            .map((name) => caches.delete(name)),
        ),
      ),
  );
});

serwist.addEventListeners();
