/**
 * Live conversation rows (ConversationPush, one per session) for the session's sockets that may
 * show a list of conversations (they opened a folder or read such a list). When the session
 * pushes `messages.new`, `messages.flags` or `messages.expunged`, a job on the command connection
 * looks whether that folder's conversation order is kept there (threads/order.ts: a window of
 * its conversations was read, at sign-in or on a socket) and if so brings it up to date (an
 * arrival costs O(new messages)) and sends those sockets `conversations.changed`: each changed
 * conversation's row with where it moved from and to (a new message's conversation to the top),
 * or `refetch` when the order was rebuilt (an expunge, conversations merged, or a large folder's
 * head replaced by its full order in the background: order.ts, onComplete). Events that come
 * while a job runs join the next one, one job per folder at a time.
 *
 * Sent. The user's replies in Sent count on the rows of other folders, but no event of those
 * folders says when one is filed (from Ferry or another client). So when Sent's message count
 * changes (`mailbox.status`), the messages filed since the last look are read and the
 * conversations of each kept folder that they belong to are pushed where they stand
 * (threads/sent-links.ts); a deletion in Sent, or a burst, asks the lists again (`refetch`).
 *
 * A folder whose kept order was lost (a push that failed, or the order pushed out of the cache
 * by other folders) is sent `refetch` once, so the lists on screen ask again and its order is
 * kept anew, instead of missing every later change.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import type { Logger } from "pino";
import { conversationCacheOf, conversationChanges } from "../threads/conversations";
import type { ConversationCache } from "../threads/order";
import { linkedUids, type SentMark, sentFolder, sentMark, sentSince } from "../threads/sent-links";

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

/**
 * A folder's events not pushed yet: UIDs whose rows may have changed (flags, a reply filed in
 * Sent), whether any was expunged, and whether the lists must ask again.
 */
interface Pending {
  touched: Set<number>;
  expunged: boolean;
  refetch: boolean;
}

/** What the lists were last told of a kept folder: enough for a `refetch` after it is lost. */
interface Kept {
  uidValidity: number;
  total: number;
}

export class ConversationPush {
  private readonly targets = new Map<object, (frame: TServerFrame) => void>();
  private readonly pending = new Map<string, Pending>();
  private running = false;
  private readonly unsubscribe: () => void;
  /** The caches (one per command connection) whose completed orders are pushed. */
  private readonly attached = new WeakSet<ConversationCache>();
  private readonly detach: Array<() => void> = [];
  /** Folders whose order was kept at the last job, with what a `refetch` of them says. */
  private readonly kept = new Map<string, Kept>();
  /** Where Sent stood at the last look (undefined: not looked at yet; null: no Sent). */
  private sent: SentMark | null | undefined = undefined;
  /** Sent's count changed since the last look. */
  private sentChanged = false;

  constructor(private readonly deps: ConversationPushDeps) {
    this.unsubscribe = deps.subscribe((frame) => this.onEvent(frame));
  }

  /** `owner` (a socket) may show lists of conversations: it is sent `conversations.changed`. */
  listen(owner: object, send: (frame: TServerFrame) => void): void {
    this.targets.set(owner, send);
    void this.deps
      .run(async (client) => {
        this.attach(conversationCacheOf(client));
        if (this.sent === undefined) await this.lookAtSent(client);
      })
      .catch((err) => this.deps.log.debug({ err }, "live: conversation push setup failed"));
  }

  /** Stops listening to the session's events. */
  close(): void {
    for (const stop of this.detach.splice(0)) stop();
    this.unsubscribe();
    this.targets.clear();
    this.pending.clear();
  }

  /**
   * Notes the folders `cache` keeps; a head of `cache` replaced by its full order is pushed as a
   * rebuilt order.
   */
  private attach(cache: ConversationCache): void {
    for (const path of cache.paths) {
      this.kept.set(path, {
        uidValidity: this.kept.get(path)?.uidValidity ?? 0,
        total: cache.total(path),
      });
    }
    if (this.attached.has(cache)) return;
    this.attached.add(cache);
    this.detach.push(cache.onComplete((path) => this.enqueue(path, false)));
  }

  private enqueue(
    path: string,
    expunged: boolean,
    touched: readonly number[] = [],
    refetch = false,
  ): void {
    const pending = this.pending.get(path) ?? {
      touched: new Set(),
      expunged: false,
      refetch: false,
    };
    for (const uid of touched) pending.touched.add(uid);
    if (expunged) pending.expunged = true;
    if (refetch) pending.refetch = true;
    this.pending.set(path, pending);
    void this.drain();
  }

  private onEvent(frame: TServerFrame): void {
    if (frame.type === "mailboxes.changed") {
      this.sent = undefined;
      return;
    }
    if (frame.type === "mailbox.status") {
      const sent = this.sent;
      if (this.targets.size === 0 || sent === null) return;
      if (sent !== undefined && (frame.mailbox !== sent.path || frame.messages === sent.messages))
        return;
      this.sentChanged = true;
      void this.drain();
      return;
    }
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
      for (;;) {
        if (this.sentChanged) {
          this.sentChanged = false;
          await this.followSent();
          continue;
        }
        const next = this.pending.entries().next();
        if (next.done) break;
        const [path, pending] = next.value;
        this.pending.delete(path);
        await this.push(path, pending);
      }
    } finally {
      this.running = false;
    }
  }

  /** Sent's place now, as the next look starts from (null: the account has no Sent). */
  private async lookAtSent(client: ImapFlow): Promise<void> {
    const path = await sentFolder(client);
    this.sent = path === null ? null : await sentMark(client, path);
  }

  /**
   * Sent's count changed: the conversations of the kept folders that its new messages belong
   * to are pushed where they stand; a deletion there, or a burst, has their lists ask again.
   */
  private async followSent(): Promise<void> {
    if (!this.hasTargets()) return;
    try {
      await this.deps.run(async (client) => {
        const cache = conversationCacheOf(client);
        this.attach(cache);
        const before = this.sent;
        if (before === undefined) return this.lookAtSent(client);
        if (before === null) return;
        const { mark, messages } = await sentSince(client, before);
        this.sent = mark;
        const others = cache.paths.filter((p) => p !== mark.path);
        const expunged = messages === null || mark.messages < before.messages + messages.length;
        for (const path of others) {
          if (expunged) this.enqueue(path, false, [], true);
          else if (messages.length > 0)
            this.enqueue(path, false, await linkedUids(client, path, messages));
        }
      });
    } catch (err) {
      this.sent = undefined;
      this.deps.log.debug({ err }, "live: conversation push of Sent failed");
    }
  }

  /** Whether a socket that listened is still open (the closed ones are forgotten). */
  private hasTargets(): boolean {
    for (const owner of [...this.targets.keys()]) {
      if (!this.deps.alive(owner)) this.targets.delete(owner);
    }
    return this.targets.size > 0;
  }

  private send(frame: ConversationsChanged): void {
    for (const send of this.targets.values()) send(frame);
  }

  /** The lists of `path` are told to ask again (its order is no longer kept here). */
  private lost(path: string): void {
    const kept = this.kept.get(path);
    if (!kept) return;
    this.kept.delete(path);
    this.send({
      type: "conversations.changed",
      mailbox: path,
      uidValidity: kept.uidValidity,
      total: kept.total,
      changes: [],
      refetch: true,
    });
  }

  private async push(path: string, pending: Pending): Promise<void> {
    if (!this.hasTargets()) return;
    const used: { cache: ConversationCache | null } = { cache: null };
    try {
      const found = await this.deps.run((client) => {
        const cache = conversationCacheOf(client);
        this.attach(cache);
        used.cache = cache;
        if (pending.expunged) cache.expunged(path);
        return conversationChanges(client, cache, path, [...pending.touched], this.deps.me);
      });
      if (!found) {
        this.lost(path);
        return;
      }
      this.kept.set(path, { uidValidity: found.uidValidity, total: found.total });
      const refetch = found.rebuilt || pending.refetch;
      if (!refetch && found.changes.length === 0) return;
      this.send({
        type: "conversations.changed",
        mailbox: found.mailbox,
        uidValidity: found.uidValidity,
        total: found.total,
        changes: refetch ? [] : found.changes,
        refetch,
      });
    } catch (err) {
      // The next window threads the folder again: the lists on screen are asked to read one.
      (used.cache as ConversationCache | null)?.drop(path);
      this.deps.log.debug({ err, mailbox: path }, "live: conversation push failed");
      this.lost(path);
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
