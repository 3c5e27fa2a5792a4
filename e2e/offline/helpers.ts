/** What the offline specs ask the page: what the persisted cache holds, and the service worker. */
import type { Page } from "@playwright/test";

/** Resolves once the persisted cache (IndexedDB, idb-keyval) mentions `text`. */
export async function cached(page: Page, text: string): Promise<boolean> {
  return page.evaluate(
    (needle) =>
      new Promise<boolean>((resolve) => {
        const req = indexedDB.open("keyval-store");
        req.onerror = () => resolve(false);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("keyval")) return resolve(false);
          const get = db.transaction("keyval").objectStore("keyval").get("ferry.cache.v1");
          get.onsuccess = () =>
            resolve(typeof get.result === "string" && get.result.includes(needle));
          get.onerror = () => resolve(false);
        };
      }),
    text,
  );
}

/** Whether an active service worker is ready to answer for this page's origin. */
export async function serviceWorkerActive(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration("/");
    return reg?.active?.state === "activated";
  });
}
