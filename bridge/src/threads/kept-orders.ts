/**
 * Conversation orders kept per account in this process (KeptOrders), so that a session that
 * signs in after another of the same account (a second device, a new browser, after signing
 * out) finds a folder's threading without asking the server for a THREAD again. A session's own
 * orders stay in its ConversationCache (order.ts); it puts a copy here whenever it threads a
 * folder (its head too) or advances its order with nothing left to check, and a new session's
 * cache takes a copy from here the first time it reads that folder. The key is taken from the
 * logged-in connection itself (accountOfConnection), the one account key of session/account.ts:
 * only a session that signed in as that user on that server reads that user's orders.
 *
 * What is kept: for each account key (session/account.ts: server host and port, user name, as
 * the connection logged in) and folder path, the folder's UIDVALIDITY, EXISTS and next UID it
 * stands at, whether it is a head (order.ts), and the UIDs of each conversation: no message
 * content, packed in typed arrays (4 bytes a UID, 4 a conversation). A copy is only used as the
 * cache uses its own: when UIDVALIDITY matches, as it is while EXISTS and the next UID match,
 * advanced by the arrivals since where it can be, else threaded again. Bounded by MAX_KEPT_UIDS
 * in all (the least recently used forgotten first).
 */
import type { ImapFlow } from "imapflow";
import { accountKey } from "../session/account";
import type { Conversation, OrderEntry } from "./order-entry";
import { keyOf } from "./order-entry";

/** UIDs kept in all, across accounts and folders (at most 8 bytes each: about 16 MB). */
export const MAX_KEPT_UIDS = 2_000_000;

/** A folder's order as kept: its stamps and its conversations' UIDs (newest first). */
export interface KeptOrder {
  uidValidity: number;
  exists: number;
  uidNext: number;
  head: number | null;
  headCount: number;
  /** Every conversation's UIDs, one after the other, newest conversation first. */
  uids: Uint32Array;
  /** How many UIDs each conversation has, in that order. */
  sizes: Uint32Array;
}

/** The kept orders of every account in this process. */
export class KeptOrders {
  private readonly byKey = new Map<string, { kept: KeptOrder; uids: number }>();
  private uids = 0;

  constructor(private readonly maxUids = MAX_KEPT_UIDS) {}

  private static key(account: string, path: string): string {
    return `${account}\n${keyOf(path)}`;
  }

  /** The order kept of `account`'s `path`, or undefined. */
  get(account: string, path: string): KeptOrder | undefined {
    const key = KeptOrders.key(account, path);
    const found = this.byKey.get(key);
    if (!found) return undefined;
    this.byKey.delete(key);
    this.byKey.set(key, found);
    return found.kept;
  }

  /**
   * Whether the order of the whole of `account`'s `path` is kept, not only its head (without
   * making it the most recently used).
   */
  whole(account: string, path: string): boolean {
    const found = this.byKey.get(KeptOrders.key(account, path));
    return found !== undefined && found.kept.head === null;
  }

  /** Keeps `kept` as `account`'s order of `path` (replacing any), within the bound. */
  put(account: string, path: string, kept: KeptOrder): void {
    const key = KeptOrders.key(account, path);
    this.remove(key);
    const uids = kept.uids.length;
    if (uids > this.maxUids) return;
    this.byKey.set(key, { kept, uids });
    this.uids += uids;
    for (const [oldest, item] of this.byKey) {
      if (this.uids <= this.maxUids) break;
      this.byKey.delete(oldest);
      this.uids -= item.uids;
    }
  }

  /** Forgets `account`'s order of `path` (it was found wrong, or the folder is gone). */
  drop(account: string, path: string): void {
    this.remove(KeptOrders.key(account, path));
  }

  /** UIDs kept in all. */
  get size(): number {
    return this.uids;
  }

  private remove(key: string): void {
    const old = this.byKey.get(key);
    if (!old) return;
    this.byKey.delete(key);
    this.uids -= old.uids;
  }
}

/** The orders kept for the sessions of this process. */
export const keptOrders = new KeptOrders();

/** One account's share of a KeptOrders, as a ConversationCache reads and writes it. */
export interface AccountOrders {
  get(path: string): KeptOrder | undefined;
  put(path: string, kept: KeptOrder): void;
  drop(path: string): void;
}

export function accountOrders(kept: KeptOrders, account: string): AccountOrders {
  return {
    get: (path) => kept.get(account, path),
    put: (path, order) => kept.put(account, path, order),
    drop: (path) => kept.drop(account, path),
  };
}

/**
 * The account key of the user `client` logged in as (the server as named at sign-in, its port,
 * the user name), or null when it cannot be told.
 */
export function accountOfConnection(client: ImapFlow): string | null {
  const options = (client as unknown as { options?: { servername?: unknown; auth?: unknown } })
    .options;
  const user = (options?.auth as { user?: unknown } | undefined)?.user;
  const host = typeof options?.servername === "string" ? options.servername : client.host;
  if (typeof user !== "string" || user === "" || typeof host !== "string") return null;
  return accountKey({ host, port: client.port }, user);
}

/** A copy of `e` to keep (its conversations' UIDs copied: the cache changes them in place). */
export function keptOf(e: OrderEntry): KeptOrder {
  return {
    uidValidity: e.uidValidity,
    exists: e.exists,
    uidNext: e.uidNext,
    head: e.head,
    headCount: e.headCount,
    ...packed(e.order.map((c) => c.uids)),
  };
}

/** Conversations' UIDs (newest conversation first) packed as KeptOrder holds them. */
export function packed(order: readonly (readonly number[])[]): Pick<KeptOrder, "uids" | "sizes"> {
  const sizes = Uint32Array.from(order, (c) => c.length);
  const uids = new Uint32Array(sizes.reduce((n, s) => n + s, 0));
  let at = 0;
  for (const c of order) {
    uids.set(c, at);
    at += c.length;
  }
  return { uids, sizes };
}

/** Conversations in the folder of `kept`, estimated from a head's share as ConversationCache.total. */
export function keptTotal(kept: KeptOrder): number {
  const n = kept.sizes.length;
  if (kept.head === null || kept.headCount === 0) return n;
  return Math.max(n, Math.round((n * kept.exists) / kept.headCount));
}

/**
 * A session's own copy of a kept order, as conversations. Made at every read that takes a kept
 * order (each repeat sign-in): arrays of their size filled by index, not Array.from of a
 * subarray, which took 3-7 times as long (35-80 against 10-12 ms for 38,000 conversations of
 * 100,000 messages, on a loaded machine).
 */
export function conversationsOf(kept: KeptOrder): Conversation[] {
  const { sizes, uids } = kept;
  const out = new Array<Conversation>(sizes.length);
  let at = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] as number;
    const conversation = new Array<number>(size);
    for (let j = 0; j < size; j++) conversation[j] = uids[at + j] as number;
    out[i] = { uids: conversation };
    at += size;
  }
  return out;
}
