/**
 * What the offline specs ask the page (what the persisted cache and the mailbox's snapshot hold,
 * the service worker) and the IMAP server (how many copies of a message a folder has).
 */
import type { Page } from "@playwright/test";
import { listMailbox } from "../compose/helpers";
import type { Account, Stack } from "../fixtures/stack";

/**
 * Whether the value the page keeps under `key` in its IndexedDB key-value store (idb-keyval)
 * mentions `needle`: the value itself when it is a string, else its `field`.
 */
function storedMentions(page: Page, key: string, needle: string, field?: string): Promise<boolean> {
  return page.evaluate(
    ([key, needle, field]) =>
      new Promise<boolean>((resolve) => {
        const req = indexedDB.open("keyval-store");
        req.onerror = () => resolve(false);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("keyval")) return resolve(false);
          const get = db.transaction("keyval").objectStore("keyval").get(key);
          get.onsuccess = () => {
            const value: unknown = field ? get.result?.[field] : get.result;
            resolve(typeof value === "string" && value.includes(needle));
          };
          get.onerror = () => resolve(false);
        };
      }),
    [key, needle, field] as const,
  );
}

/**
 * Whether the persisted cache holds a query whose key starts with `kind` (e.g. "snoozes", the
 * Snoozed view's list) and whose data mentions `text`.
 */
export function listKept(page: Page, kind: string, text: string): Promise<boolean> {
  return page.evaluate(
    ([kind, text]) =>
      new Promise<boolean>((resolve) => {
        const req = indexedDB.open("keyval-store");
        req.onerror = () => resolve(false);
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("keyval")) return resolve(false);
          const get = db.transaction("keyval").objectStore("keyval").get("ferry.cache.v1");
          get.onerror = () => resolve(false);
          get.onsuccess = () => {
            const stored: unknown = get.result;
            if (typeof stored !== "string") return resolve(false);
            const queries: { queryKey: unknown[]; state: { data: unknown } }[] =
              JSON.parse(stored).clientState.queries;
            resolve(
              queries.some(
                (q) => q.queryKey[0] === kind && JSON.stringify(q.state.data).includes(text),
              ),
            );
          };
        };
      }),
    [kind, text] as const,
  );
}

/** Resolves once the persisted cache (IndexedDB, idb-keyval) mentions `text`. */
export function cached(page: Page, text: string): Promise<boolean> {
  return storedMentions(page, "ferry.cache.v1", text);
}

/**
 * Whether a snapshot of the mailbox with its rows is stored (localStorage, web/lib/persist.ts),
 * and with `text` in it when given.
 */
export function snapshotStored(page: Page, text?: string): Promise<boolean> {
  return page.evaluate((text) => {
    const html = localStorage.getItem("ferry.snapshot.v3.html");
    if (localStorage.getItem("ferry.snapshot.v3") === null || html === null) return false;
    return (
      html.includes('data-testid="row-subject"') && (text === undefined || html.includes(text))
    );
  }, text);
}

/** How many copies of `subject` the IMAP server has in `mailbox` (a path or a special-use role). */
export async function copies(
  stack: Stack,
  account: Account,
  mailbox: string,
  subject: string,
): Promise<number> {
  return (await listMailbox(stack, account, mailbox)).filter((m) => m.subject === subject).length;
}

/** Whether an active service worker is ready to answer for this page's origin. */
export async function serviceWorkerActive(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration("/");
    return reg?.active?.state === "activated";
  });
}
