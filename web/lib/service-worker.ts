/**
 * The page's side of the service worker (sw.ts): registers it while someone is signed in, checks
 * for a new build in the background (at start, when the tab comes back into view, at most every
 * ten minutes), and says when one is installed and waiting, so the page can offer
 * "A new version is ready" and reload only when the user chooses. When a session ends the worker
 * is unregistered, so nothing of this origin outlives the sign-out (its caches hold only the app
 * shell; the next sign-in installs it afresh).
 */
import { useSyncExternalStore } from "react";

const SW_URL = "/sw.js";
const CHECK_EVERY_MS = 10 * 60 * 1000;

let updateReady = false;
let registering: Promise<ServiceWorkerRegistration | null> | null = null;
let lastCheck = 0;
const listeners = new Set<() => void>();

function setUpdateReady(next: boolean): void {
  if (updateReady === next) return;
  updateReady = next;
  for (const l of listeners) l();
}

function supported(): boolean {
  return (
    process.env.NODE_ENV === "production" &&
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    window.isSecureContext
  );
}

/** A worker waiting behind the one that controls this page is a new build. */
function watch(reg: ServiceWorkerRegistration): void {
  const check = (): void => {
    if (reg.waiting && navigator.serviceWorker.controller) setUpdateReady(true);
  };
  check();
  reg.addEventListener("updatefound", () => {
    const worker = reg.installing;
    if (!worker) return;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed") check();
    });
  });
}

function checkForUpdate(reg: ServiceWorkerRegistration): void {
  if (Date.now() - lastCheck < CHECK_EVERY_MS) return;
  lastCheck = Date.now();
  reg.update().catch(() => undefined); // offline: try again later
}

/** Registers the service worker (once per page); a no-op where there is none (dev, http). */
export function registerServiceWorker(): void {
  if (!supported() || registering) return;
  lastCheck = Date.now();
  registering = navigator.serviceWorker
    .register(SW_URL, { scope: "/", updateViaCache: "none" })
    .then(
      (reg) => {
        watch(reg);
        document.addEventListener("visibilitychange", () => {
          if (document.visibilityState === "visible") checkForUpdate(reg);
        });
        return reg;
      },
      () => null,
    );
}

/** Resolves when `worker` has finished installing (or failed to). */
function installed(worker: ServiceWorker): Promise<void> {
  return new Promise((resolve) => {
    const done = (): boolean => worker.state !== "installing";
    if (done()) return resolve();
    worker.addEventListener("statechange", () => {
      if (done()) resolve();
    });
  });
}

/**
 * Reloads into the newest build: fetches it first when none is waiting (the bridge said this
 * page is out of date), hands over to it, and reloads once it controls the page. Without a
 * service worker (or offline) it is a plain reload.
 */
export async function reloadIntoUpdate(): Promise<void> {
  const reg = supported()
    ? await navigator.serviceWorker.getRegistration().catch(() => undefined)
    : undefined;
  if (reg && !reg.waiting) {
    await reg.update().catch(() => undefined);
    if (reg.installing) await installed(reg.installing);
  }
  const waiting = reg?.waiting;
  if (!waiting || !navigator.serviceWorker.controller) {
    window.location.reload();
    return;
  }
  navigator.serviceWorker.addEventListener("controllerchange", () => window.location.reload(), {
    once: true,
  });
  waiting.postMessage({ type: "SKIP_WAITING" });
}

/** Removes this origin's service workers (the session ended). */
export async function unregisterServiceWorker(): Promise<void> {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  registering = null;
  setUpdateReady(false);
  const regs = await navigator.serviceWorker.getRegistrations().catch(() => []);
  await Promise.all(regs.map((r) => r.unregister().catch(() => false)));
}

/** True once a new build is installed and waiting for the user to reload. */
export function useUpdateReady(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => updateReady,
    () => false,
  );
}
