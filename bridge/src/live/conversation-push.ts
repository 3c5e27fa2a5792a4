/**
 * Live conversation rows (ConversationPush, one per session) for the session's sockets that may
 * show a list of conversations (they opened a folder or read such a list). When the session
 * pushes `messages.new`, `messages.flags` or `messages.expunged`, a job on the command connection
 * looks whether that folder's conversation order is kept there (threads/order.ts: a window of
 * its conversations was read, at sign-in or on a socket) and if so brings it up to date (an arrival costs O(new messages)) and
 * sends those sockets `conversations.changed`: each changed conversation's row with where it
 * moved from and to (a new message's conversation to the top), or `refetch` when the order was
 * rebuilt (an expunge, conversations merged, or a large folder's head replaced by its full order
 * in the background: order.ts, onComplete). Events that come while a job runs join the next
 * one, one job per folder at a time.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { conversationCacheOf, conversationChanges } from "../threads/conversations";
import type { ConversationCache } from "../threads/order";

/** What ConversationPush needs of its session. */
export interface ConversationPushDeps {
  /** Runs `fn` on the session's command connection (MailSession.run). */
  run<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** The session's pushed events (MailSession.subscribe). */
  subscribe(fn: (frame: TServerFrame) => void): () => void;
  /** The user's addresses, "me" on the rows. */
  me: readonly string[];
  /** Whether a socket that listen()ed is still open. */
  alive(owner: object): boolean;
  log: Logger;
}

type ConversationsChanged = Extract<TServerFrame, { type: "conversations.changed" }>;

/** A folder's events not pushed yet: UIDs whose flags changed, and whether any was expunged. */
interface Pending {
  touched: Set<number>;
  expunged: boolean;
}

export class ConversationPush {
  private readonly targets = new Map<object, (frame: TServerFrame) => void>();
  private readonly pending = new Map<string, Pending>();
  private running = false;
  private readonly unsubscribe: () => void;
  /** The caches (one per command connection) whose completed orders are pushed. */
  private readonly attached = new WeakSet<ConversationCache>();
  private readonly detach: Array<() => void> = [];

  constructor(private readonly deps: ConversationPushDeps) {
    this.unsubscribe = deps.subscribe((frame) => this.onEvent(frame));
  }

  /** `owner` (a socket) may show lists of conversations: it is sent `conversations.changed`. */
  listen(owner: object, send: (frame: TServerFrame) => void): void {
    this.targets.set(owner, send);
    void this.deps
      .run(async (client) => this.attach(conversationCacheOf(client)))
      .catch(() => undefined);
  }

  /** Stops listening to the session's events. */
  close(): void {
    for (const stop of this.detach.splice(0)) stop();
    this.unsubscribe();
    this.targets.clear();
    this.pending.clear();
  }

  /** A head of `cache` replaced by its full order is pushed as a rebuilt order. */
  private attach(cache: ConversationCache): void {
    if (this.attached.has(cache)) return;
    this.attached.add(cache);
    this.detach.push(cache.onComplete((path) => this.enqueue(path, false)));
  }

  private enqueue(path: string, expunged: boolean, touched: readonly number[] = []): void {
    const pending = this.pending.get(path) ?? { touched: new Set(), expunged: false };
    for (const uid of touched) pending.touched.add(uid);
    if (expunged) pending.expunged = true;
    this.pending.set(path, pending);
    void this.drain();
  }

  private onEvent(frame: TServerFrame): void {
    if (
      frame.type !== "messages.new" &&
      frame.type !== "messages.flags" &&
      frame.type !== "messages.expunged"
    ) {
      return;
    }
    if (this.targets.size === 0) return;
    this.enqueue(
      frame.mailbox,
      frame.type === "messages.expunged",
      frame.type === "messages.flags" ? frame.changes.map((c) => c.uid) : [],
    );
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.pending.entries().next(); !next.done; ) {
        const [path, pending] = next.value;
        this.pending.delete(path);
        await this.push(path, pending);
        next = this.pending.entries().next();
      }
    } finally {
      this.running = false;
    }
  }

  private async push(path: string, pending: Pending): Promise<void> {
    for (const owner of [...this.targets.keys()]) {
      if (!this.deps.alive(owner)) this.targets.delete(owner);
    }
    if (this.targets.size === 0) return;
    const used: { cache: ConversationCache | null } = { cache: null };
    try {
      const found = await this.deps.run((client) => {
        const cache = conversationCacheOf(client);
        this.attach(cache);
        used.cache = cache;
        if (pending.expunged) cache.expunged(path);
        return conversationChanges(client, cache, path, [...pending.touched], this.deps.me);
      });
      if (!found || (!found.rebuilt && found.changes.length === 0)) return;
      const frame: ConversationsChanged = {
        type: "conversations.changed",
        mailbox: found.mailbox,
        uidValidity: found.uidValidity,
        total: found.total,
        changes: found.changes,
        refetch: found.rebuilt,
      };
      for (const send of this.targets.values()) send(frame);
    } catch (err) {
      // The next window threads the folder again; the lists learn of it from their next read.
      used.cache?.drop(path);
      this.deps.log.debug({ err, mailbox: path }, "live: conversation push failed");
    }
  }
}

const pushes = new WeakMap<object, ConversationPush>();

/** The ConversationPush of the session whose MailSession is `mail` (made at first use). */
export function conversationPushOf(
  mail: object,
  deps: () => ConversationPushDeps,
): ConversationPush {
  let push = pushes.get(mail);
  if (!push) {
    push = new ConversationPush(deps());
    pushes.set(mail, push);
  }
  return push;
}
