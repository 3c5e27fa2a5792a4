/**
 * A session's ConversationCache's share of its account's kept orders (KeptShare, for
 * order.ts): the steps by which a folder's order crosses sessions. The cache takes a folder's
 * order from the account's kept orders (kept-orders.ts) the first time it reads that folder
 * (restore: an entry marked `restored`, used as its own would be: the same stamps decide whether
 * it stands, is advanced or is threaded again); at the first read that stands it becomes this
 * session's (used: what its advance moved is no news to this session's lists); and a copy goes
 * back whenever the cache builds or advances the folder's order with nothing left to check
 * (publish). It also tells the live push whether the account keeps an order of a folder this
 * cache does not (elsewhere: rows of it were served from another cache, the sign-in answer's).
 */
import { type AccountOrders, conversationsOf, keptOf, keptTotal } from "./kept-orders";
import type { OrderEntry } from "./order-entry";

export class KeptShare {
  /** Orders taken from the kept ones and used, for tests. */
  reused = 0;
  private readonly publishing = new Set<OrderEntry>();

  /**
   * `kept`: the account's orders (none: nothing shared). `publishable(e)`: whether `e` is still
   * the cache's and no advance is under way (one that is publishes when it ends).
   */
  constructor(
    private readonly kept: AccountOrders | undefined,
    private readonly publishable: (e: OrderEntry) => boolean,
  ) {}

  /** `path`'s kept order as a new entry, when it has UIDVALIDITY `uidValidity`. */
  restore(path: string, uidValidity: number): OrderEntry | undefined {
    const k = this.kept?.get(path);
    if (!k || k.uidValidity !== uidValidity) return undefined;
    return {
      path,
      uidValidity: k.uidValidity,
      exists: k.exists,
      uidNext: k.uidNext,
      order: conversationsOf(k),
      byUid: null,
      moves: [],
      rebuilt: false,
      expunged: false,
      head: k.head,
      headCount: k.headCount,
      near: null,
      unchecked: [],
      restored: true,
    };
  }

  /**
   * `e` is read: a kept order it came from is now this session's, and what its advance to this
   * read moved is no news to this session's lists: they saw none of it.
   */
  used(e: OrderEntry): void {
    if (!e.restored) return;
    e.restored = false;
    e.moves = [];
    this.reused++;
  }

  /**
   * Puts a copy of `e` among the account's kept orders, soon (outside the caller's work), when
   * it is then still the cache's, whole as its stamps say and checked.
   */
  publish(e: OrderEntry): void {
    const kept = this.kept;
    if (!kept || this.publishing.has(e)) return;
    this.publishing.add(e);
    setImmediate(() => {
      this.publishing.delete(e);
      if (e.expunged || e.unchecked.length > 0 || !this.publishable(e)) return;
      kept.put(e.path, keptOf(e));
    });
  }

  /** The account's kept order of `path`: its UIDVALIDITY and conversations (a head's estimated). */
  elsewhere(path: string): { uidValidity: number; total: number } | null {
    const k = this.kept?.get(path);
    return k ? { uidValidity: k.uidValidity, total: keptTotal(k) } : null;
  }

  /** Forgets the account's kept order of `path` (it was found wrong). */
  drop(path: string): void {
    this.kept?.drop(path);
  }
}
