/**
 * "Available offline" at work: the bodies (text and HTML, not attachments) of the Inbox's last
 * N days (the `offlineDays` setting) fetched in the background while online and kept in their
 * own IndexedDB database, within a budget (lib/offline-bodies decides what to fetch and drop);
 * every message open's fallback to them when the bridge cannot be reached (`readKept`, given to
 * lib/mail-client's fetchMessage); what Settings shows of them (`useOfflineStore`); and their
 * removal (the Settings button, turning the setting off, and every end of the session, with the
 * rest of what the browser keeps).
 *
 * A run starts when the page is idle after each connection, after new Inbox mail and when the
 * setting changes, and asks for nothing until the user has been still for a moment and no list
 * window is being asked for (so its search never waits on the bridge ahead of the list a sign-in
 * or a connection shows). A message opened already (or being opened: read-ahead, the reader) is
 * taken from that open, never asked for twice. It fetches a few messages at a time, waits while
 * the user is typing, clicking or scrolling, and does not run on a connection that asks to save
 * data (Network Information `saveData`, or `metered` where a browser reports it).
 */
import type { TMessageRef } from "@ferry/protocol";
import { clear, delMany, get, setMany, type UseStore } from "idb-keyval";
import { useEffect, useSyncExternalStore } from "react";
import { closingStore } from "./idb-store";
import { whenIdle } from "./idle";
import {
  downloadMessage,
  keys,
  type MessageData,
  queryClient,
  setKeptMessageSource,
  socket,
  whenListsSettled,
} from "./mail-client";
import {
  type Candidate,
  type KeptEntry,
  MAX_CANDIDATES,
  makeRoom,
  OFFLINE_CAP_BYTES,
  offlineBudget,
  offlineQuery,
  refKey,
  staleKeys,
  toFetch,
  usedBytes,
} from "./offline-bodies";
import { noteActivity, QUIET_MS, whenQuiet } from "./quiet";
import { onSessionEnd } from "./session";
import { settingsKnown, useSettings } from "./settings";

const DATABASE = "ferry-offline-bodies";
const INDEX_KEY = "index";
/** Messages fetched at once. */
const PARALLEL = 2;
/** Rows asked per search window while listing the candidates. */
const PAGE = 200;
/** The longest wait for an idle moment once the user is still. */
const IDLE_WAIT_MS = 5000;
/** Stillness is counted from the last input (or connection's start) alone, not from each wait. */
const SINCE_LAST_INPUT = Number.NEGATIVE_INFINITY;

interface KeptRecord {
  data: MessageData;
}

export interface OfflineStats {
  bytes: number;
  count: number;
  budget: number;
  /**
   * A run has messages left to copy (it copies them while the user is still; a run that is only
   * waiting for that stillness, or found nothing to copy, is not fetching).
   */
  fetching: boolean;
}

let store: UseStore | null = null;
let index: KeptEntry[] | null = null;
let budget = OFFLINE_CAP_BYTES;
let running = false;
let fetching = false;
let days = 0;
/** Bumped to stop a run (setting changed, cleared, signed out). */
let generation = 0;
let started = false;
let stats: OfflineStats = { bytes: 0, count: 0, budget, fetching: false };
const listeners = new Set<() => void>();

function db(): UseStore | null {
  if (typeof indexedDB === "undefined") return null;
  store ??= closingStore(DATABASE, "bodies");
  return store;
}

function publish(): void {
  const entries = index ?? [];
  stats = { bytes: usedBytes(entries), count: entries.length, budget, fetching };
  for (const l of listeners) l();
}

/** The budget for this origin's quota (navigator.storage.estimate, where there is one). */
async function measureBudget(): Promise<number> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  budget = offlineBudget(estimate?.quota);
  return budget;
}

async function loadIndex(): Promise<KeptEntry[]> {
  if (index) return index;
  await measureBudget();
  const s = db();
  const stored = s ? await get<KeptEntry[]>(INDEX_KEY, s).catch(() => undefined) : undefined;
  index ??= Array.isArray(stored) ? stored : [];
  publish();
  return index;
}

async function drop(keysToDrop: readonly string[]): Promise<void> {
  if (keysToDrop.length === 0 || !index) return;
  const gone = new Set(keysToDrop);
  index = index.filter((e) => !gone.has(e.key));
  const s = db();
  if (s) {
    await setMany([[INDEX_KEY, index]], s);
    await delMany([...gone], s);
  }
  publish();
}

async function keep(entry: KeptEntry, data: MessageData): Promise<void> {
  const s = db();
  if (!s || !index) return;
  index = [...index.filter((e) => e.key !== entry.key), entry];
  const record: KeptRecord = { data };
  await setMany(
    [
      [entry.key, record],
      [INDEX_KEY, index],
    ],
    s,
  );
  publish();
}

/** Removes every kept body (the Settings button; the setting turned off). */
export async function clearKept(): Promise<void> {
  generation++;
  index = [];
  const s = db();
  if (s) await clear(s).catch(() => undefined);
  publish();
}

/** A kept body of `ref`, if this browser has one. */
export async function readKept(ref: TMessageRef): Promise<MessageData | null> {
  const s = db();
  if (!s) return null;
  const record = await get<KeptRecord>(refKey(ref), s).catch(() => undefined);
  return record?.data ?? null;
}

// Every message open (reader, prefetch, conversation) falls back to the kept bodies offline.
setKeptMessageSource(readKept);

function saveData(): boolean {
  if (typeof navigator === "undefined") return false;
  const c = (navigator as Navigator & { connection?: { saveData?: boolean; metered?: boolean } })
    .connection;
  return c?.saveData === true || c?.metered === true;
}

function mayRun(gen: number): boolean {
  return gen === generation && days > 0 && socket.getStatus() === "online" && !saveData();
}

/**
 * Resolves once the user has been still for QUIET_MS (a connection's start counts as input: the
 * page then asks for what it shows), no list window is being asked for, and the page is idle.
 */
function quiet(): Promise<void> {
  return new Promise((resolve) => {
    whenQuiet(
      () =>
        void whenListsSettled().then(() =>
          whenQuiet(resolve, QUIET_MS, IDLE_WAIT_MS, SINCE_LAST_INPUT),
        ),
      QUIET_MS,
      IDLE_WAIT_MS,
      SINCE_LAST_INPUT,
    );
  });
}

async function listCandidates(n: number): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (let offset = 0; offset < MAX_CANDIDATES; offset += PAGE) {
    const reply = await socket.request({
      type: "list.window",
      mailbox: "INBOX",
      offset,
      limit: Math.min(PAGE, MAX_CANDIDATES - offset),
      query: offlineQuery(n),
    });
    for (const row of reply.rows) {
      const ref = {
        mailbox: "INBOX",
        uidValidity: row.uidValidity ?? reply.uidValidity,
        uid: row.uid,
      };
      const date = row.date ? Date.parse(row.date) : Number.NaN;
      out.push({ key: refKey(ref), ref, date: Number.isFinite(date) ? date : 0 });
    }
    if (reply.rows.length === 0 || offset + reply.rows.length >= reply.total) break;
  }
  return out;
}

/**
 * The message's body for its offline copy: from the query cache when it was opened, the answer
 * of its open when one is in flight (a read-ahead, the reader), else from the bridge as
 * background, outside the cache. A message being opened is never asked for a second time.
 */
export async function offlineCopyOf(ref: TMessageRef): Promise<MessageData> {
  const key = keys.message(ref);
  const cached = queryClient.getQueryData<MessageData>(key);
  if (cached?.complete) return cached;
  const query = queryClient.getQueryCache().find<MessageData>({ queryKey: key, exact: true });
  const opening = query?.state.fetchStatus === "fetching" ? query.promise : undefined;
  return opening ?? downloadMessage(ref);
}

async function run(): Promise<void> {
  if (running) return;
  const gen = generation;
  if (!mayRun(gen)) return;
  running = true;
  try {
    await measureBudget();
    await quiet();
    if (!mayRun(gen)) return;
    const candidates = await listCandidates(days);
    if (!mayRun(gen)) return;
    const entries = await loadIndex();
    await drop(staleKeys(entries, new Set(candidates.map((c) => c.key))));
    const queue = toFetch(candidates, new Set((index ?? []).map((e) => e.key)));
    fetching = queue.length > 0;
    publish();
    let full = false;
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        await quiet();
        if (full || !mayRun(gen)) return;
        const data = await offlineCopyOf(c.ref).catch(() => null);
        if (!data || !mayRun(gen)) continue;
        const bytes = new Blob([JSON.stringify(data)]).size;
        const evict = makeRoom(index ?? [], { date: c.date, bytes }, budget);
        if (evict === null) {
          full = true;
          return;
        }
        await drop(evict);
        if (!mayRun(gen)) return;
        await keep({ key: c.key, date: c.date, bytes }, data);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } catch {
    // the connection went or the search failed: the next connection runs again
  } finally {
    running = false;
    fetching = false;
    publish();
    // Stopped for a new setting: the run for it starts now.
    if (gen !== generation && days > 0) schedule();
  }
}

function schedule(): void {
  whenIdle(() => void run(), 10_000);
}

/** Starts following the setting, the connection and new Inbox mail (once per page). */
function start(): void {
  if (started || typeof window === "undefined") return;
  started = true;
  noteActivity();
  socket.onOpen(() => {
    noteActivity();
    schedule();
  });
  socket.onEvent((e) => {
    if (e.type === "messages.new" && e.mailbox === "INBOX") schedule();
  });
  onSessionEnd(async () => {
    days = 0;
    await clearKept();
  });
  void loadIndex();
}

/** Keeps the Inbox's last `offlineDays` available offline while the signed-in app is shown. */
export function useOfflineBodies(): void {
  const { offlineDays } = useSettings();
  const known = settingsKnown();
  useEffect(() => {
    start();
    if (!known) return;
    const changed = days !== offlineDays;
    days = offlineDays;
    if (changed) generation++;
    if (offlineDays === 0) void clearKept();
    else schedule();
  }, [offlineDays, known]);
}

/** What Settings shows: bytes and messages kept, and the budget. */
export function useOfflineStore(): OfflineStats {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      void loadIndex();
      return () => listeners.delete(l);
    },
    () => stats,
    () => stats,
  );
}
