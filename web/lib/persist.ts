/**
 * Persisting the query cache to IndexedDB (idb-keyval), so a reload paints the last-seen
 * folders and list at once and opened messages can be read offline. Only what is useful is kept:
 * the top of each list, and the most recently opened messages; a reload starts reading it before
 * the app renders (readPersistedEarly). Beside it the mailbox's snapshot (lib/mailbox-snapshot.ts)
 * goes to localStorage, which a reload's first script (lib/mailbox-snapshot-script.ts) reads
 * synchronously; it is taken again only when the page has changed since, so the page's going
 * (pagehide) usually has nothing left to take. No password is in the cache, but mail is: when a
 * session ends, `clearPersisted` removes it, the snapshot, the offline queue (lib/offline-queue),
 * the files attached offline (lib/compose/offline-files), and everything else this origin keeps
 * in IndexedDB and Cache Storage, so the next person on a shared computer finds nothing.
 */

import type { PersistedClient, Persister } from "@tanstack/react-query-persist-client";
import { clear, del, delMany, get, set } from "idb-keyval";
import { clearOfflineFiles } from "./compose/offline-files";
import type { ListData, trimForStorage } from "./list-cache";
import { SNAPSHOT_HTML_KEY, SNAPSHOT_KEY } from "./mailbox-snapshot-script";
import { clearOfflineQueue } from "./offline-queue";

export const CACHE_KEY = "ferry.cache.v1";
/** Rows kept per list: enough to paint the first screens. */
const LIST_ROWS_KEPT = 300;
/** Opened messages kept for offline reading. */
const MESSAGES_KEPT = 200;
/** Pages of conversation stacks' collapsed lines kept (`member-rows`, use-conversation-members). */
const MEMBER_PAGES_KEPT = 100;
export const CACHE_MAX_AGE = 7 * 24 * 60 * 60 * 1000;

function isListData(v: unknown): v is ListData {
  return typeof v === "object" && v !== null && "rows" in v && "total" in v;
}

function slim(client: PersistedClient, trim: typeof trimForStorage): PersistedClient {
  const queries = client.clientState.queries;
  const newest = (kind: string, n: number) =>
    queries
      .filter((q) => q.queryKey[0] === kind)
      .sort((a, b) => b.state.dataUpdatedAt - a.state.dataUpdatedAt)
      .slice(0, n);
  const bounded = new Set(["message", "member-rows"]);
  const kept = new Set([
    ...newest("message", MESSAGES_KEPT),
    ...newest("member-rows", MEMBER_PAGES_KEPT),
  ]);
  return {
    ...client,
    clientState: {
      ...client.clientState,
      mutations: [],
      queries: queries
        .filter((q) => !bounded.has(String(q.queryKey[0])) || kept.has(q))
        .map((q) =>
          q.queryKey[0] === "list" && isListData(q.state.data)
            ? { ...q, state: { ...q.state, data: trim(q.state.data, LIST_ROWS_KEPT) } }
            : q,
        ),
    },
  };
}

function isPersistedClient(v: unknown): v is PersistedClient {
  if (typeof v !== "object" || v === null) return false;
  if (!("timestamp" in v) || typeof v.timestamp !== "number") return false;
  if (!("buster" in v) || typeof v.buster !== "string") return false;
  if (!("clientState" in v) || typeof v.clientState !== "object" || v.clientState === null) {
    return false;
  }
  return "queries" in v.clientState && Array.isArray(v.clientState.queries);
}

/** Bump when the shape of cached data changes: older caches are then dropped, not misread. */
export const CACHE_VERSION = 1;

function readPersisted(): Promise<PersistedClient | undefined> {
  if (typeof indexedDB === "undefined") return Promise.resolve(undefined);
  return get<string>(CACHE_KEY).then(
    (text) => {
      try {
        const value: unknown = text ? JSON.parse(text) : undefined;
        return isPersistedClient(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    () => undefined,
  );
}

/** The read readPersistedEarly started, until the persister's first restore takes it. */
let early: Promise<PersistedClient | undefined> | null = null;

/**
 * Starts reading the persisted cache now (at the page's start, when someone is remembered), so
 * that it is there when the mailbox first renders; the persister's first restore uses this read.
 */
export function readPersistedEarly(): Promise<PersistedClient | undefined> {
  early ??= readPersisted();
  return early;
}

/**
 * The mailbox as last shown (lib/mailbox-snapshot.ts) is kept in localStorage under
 * lib/mailbox-snapshot-script.ts's two keys, so that script can paint it before any chunk runs:
 * a small record naming it (whose, which view, the markup's length) and the markup itself, so
 * the script parses no JSON the size of the markup.
 */
/** Where snapshots were kept before (v1 in IndexedDB, v2 in localStorage): removed. */
const OLD_SNAPSHOT_KEY = "ferry.snapshot.v1";
const OLD_LOCAL_SNAPSHOT_KEY = "ferry.snapshot.v2";

export interface StoredSnapshot {
  email: string;
  /** The page's path and query when it was taken: only the same view paints it. */
  route: string;
  /** The layout's media query, and whether it matched: only the same layout paints it. */
  layout: string;
  phone: boolean;
  /** Not painted after this moment (ms since the epoch), as the cache is not restored. */
  expires: number;
  html: string;
}

/**
 * Stores `shown` for the next reload to paint: its markup (unless the same is stored already),
 * then the record naming it with the markup's length, so a record never paints other markup.
 */
export function storeSnapshot(shown: StoredSnapshot): void {
  const { html, ...about } = shown;
  try {
    if (localStorage.getItem(SNAPSHOT_HTML_KEY) !== html) {
      localStorage.setItem(SNAPSHOT_HTML_KEY, html);
    }
    localStorage.setItem(SNAPSHOT_KEY, JSON.stringify({ ...about, length: html.length }));
  } catch {
    removeSnapshot(); // over quota: no snapshot rather than an older one
  }
}

function removeSnapshot(): void {
  try {
    localStorage.removeItem(SNAPSHOT_KEY);
    localStorage.removeItem(SNAPSHOT_HTML_KEY);
    localStorage.removeItem(OLD_LOCAL_SNAPSHOT_KEY);
  } catch {
    // storage blocked: nothing was stored
  }
}

/**
 * A persister over idb-keyval that saves at most once a second, and at once when the page is
 * hidden or unloaded, so that what was just opened is there after a reload; with `snapshot`, the
 * mailbox as shown is stored with each save (none: the one stored is removed), taken again only
 * when the page's DOM has changed since it was last taken. A change of the DOM alone also brings
 * a save a second later, so that the page's going seldom has a snapshot left to take.
 */
let stopped = false;
/** The persister of the mailbox now shown: an older one (another account's) writes no more. */
let generation = 0;

export function createPersister(snapshot?: () => StoredSnapshot | null): Persister {
  stopped = false;
  const mine = ++generation;
  const current = () => !stopped && mine === generation;
  let pending: PersistedClient | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let snapshotStale = snapshot !== undefined;
  const available = typeof indexedDB !== "undefined";
  if (available && snapshot) void del(OLD_SNAPSHOT_KEY).catch(() => undefined);

  const flush = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (!current()) return;
    // Taken and stored now, as the page shows what is being saved (synchronously: a reload's
    // pagehide may not see the end of the cache's write, but sees this).
    if (snapshot && snapshotStale) {
      snapshotStale = false;
      const shown = snapshot();
      if (shown) storeSnapshot(shown);
      else removeSnapshot();
    }
    const client = pending;
    pending = null;
    if (!client || !available) return;
    // The list model (and the protocol it brings) stays out of the page's first load, which
    // imports this module; the mailbox, the only caller of the persister, has it loaded.
    const { trimForStorage: trim } = await import("./list-cache");
    if (!current()) return;
    const saved = JSON.stringify(slim(client, trim));
    await set(CACHE_KEY, saved).catch(() => undefined);
  };
  if (typeof window !== "undefined") {
    window.addEventListener("pagehide", () => void flush());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") void flush();
    });
    if (snapshot && typeof MutationObserver === "function" && document.body) {
      const observer = new MutationObserver(() => {
        if (!current()) {
          observer.disconnect();
          return;
        }
        snapshotStale = true;
        timer ??= setTimeout(() => void flush(), 1000);
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    }
  }
  return {
    persistClient(client) {
      if (!current()) return;
      pending = client;
      timer ??= setTimeout(() => void flush(), 1000);
    },
    restoreClient() {
      const started = early;
      early = null;
      return started ?? readPersisted();
    },
    async removeClient() {
      pending = null;
      clearTimeout(timer);
      timer = undefined;
      removeSnapshot();
      if (available) await delMany([CACHE_KEY, OLD_SNAPSHOT_KEY]).catch(() => undefined);
    },
  };
}

const PERSISTED_KINDS = new Set(["mailboxes", "list", "member-rows", "scheduled", "snoozes"]);

/**
 * Which queries are worth persisting: folders, lists, conversation stacks' collapsed lines,
 * fully received messages, and the Scheduled and Snoozed views' lists (so a reload before the
 * socket connects shows them as last seen rather than nothing).
 */
export function shouldPersist(query: {
  queryKey: readonly unknown[];
  state: { status: string; data: unknown };
}): boolean {
  if (query.state.status !== "success") return false;
  const kind = query.queryKey[0];
  if (PERSISTED_KINDS.has(String(kind))) return true;
  if (kind === "message") {
    const data = query.state.data;
    return (
      typeof data === "object" && data !== null && "complete" in data && data.complete === true
    );
  }
  return false;
}

/** idb-keyval's database: the persister keeps a connection to it open, so it is emptied. */
const KEYVAL_DATABASE = "keyval-store";

/** Databases whose deletion was asked for and has not finished (an open connection blocks it). */
const deleting = new Set<string>();

/**
 * Deletes an IndexedDB database; settles (without waiting) if an open connection blocks it. A
 * second request for a database still being deleted would queue behind the first and hear
 * nothing until that one finishes (not even `blocked`), so it is not made.
 */
function deleteDatabase(name: string): Promise<void> {
  if (deleting.has(name)) return Promise.resolve();
  deleting.add(name);
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(name);
    const done = () => {
      deleting.delete(name);
      resolve();
    };
    req.onsuccess = done;
    req.onerror = done;
    req.onblocked = () => resolve();
  });
}

/**
 * Forget everything kept for the session and save nothing more (sign-out, an expired session,
 * another account): the persisted cache (bodies, lists, folders), any other IndexedDB database
 * of this origin, and Cache Storage. The bridge also sends `Clear-Site-Data`; this does not rely
 * on the browser honouring it.
 */
export async function clearPersisted(): Promise<void> {
  stopped = true;
  early = null;
  removeSnapshot();
  const work: Promise<unknown>[] = [];
  if (typeof indexedDB !== "undefined") {
    work.push(clear().catch(() => undefined));
    work.push(clearOfflineQueue().catch(() => undefined));
    work.push(clearOfflineFiles());
    if (typeof indexedDB.databases === "function") {
      work.push(
        indexedDB.databases().then(
          (dbs) =>
            Promise.all(
              dbs
                .map((db) => db.name)
                .filter((name): name is string => !!name && name !== KEYVAL_DATABASE)
                .map(deleteDatabase),
            ),
          () => undefined,
        ),
      );
    }
  }
  if (typeof caches !== "undefined") {
    work.push(
      caches.keys().then(
        (names) => Promise.all(names.map((name) => caches.delete(name))),
        () => undefined,
      ),
    );
  }
  await Promise.all(work);
}
