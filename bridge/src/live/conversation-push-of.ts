/**
 * The ConversationPush of a session (conversationPushOf; moved out of conversation-push.ts):
 * one per account in this process, keyed by the AccountWatch its sessions share (a session
 * without one has its own), each session joined at its first use. The folder changes that the
 * AccountWatch's NOTIFY reports reach the account's push (ConversationPush.folderChanged).
 */
import type { TConversationRow, TServerFrame } from "@ferry/protocol";
import { ConversationPush, type ConversationPushDeps } from "./conversation-push";

const pushes = new WeakMap<object, ConversationPush>();
/** The account watches whose folder changes are followed (once each). */
const followed = new WeakSet<object>();

/** What the push hears of an AccountWatch (live/account-watch.ts). */
interface FolderChanges {
  onFolderChanged?(fn: (path: string) => void): () => void;
}

/** A session as conversationPushOf sees it: its MailSession, which may share an account watch. */
export interface PushSession {
  /** The AccountWatch it shares with the account's other sessions (null: none). */
  readonly accountWatch?: (object & FolderChanges) | null;
}

/**
 * The ConversationPush the session whose MailSession is `mail` shares with the other sessions of
 * its account in this process (one per AccountWatch; its own when it has none), with `mail`
 * joined (`deps` are read at its first use). Its sockets listen through the handle returned.
 */
export function conversationPushOf(
  mail: PushSession & object,
  deps: () => ConversationPushDeps,
): {
  listen(owner: object, send: (frame: TServerFrame) => void): void;
  servedElsewhere(path: string, uidValidity: number, rows: readonly TConversationRow[]): void;
} {
  const key = mail.accountWatch ?? mail;
  let push = pushes.get(key);
  if (!push || push.empty) {
    push = new ConversationPush();
    pushes.set(key, push);
  }
  const watch = mail.accountWatch;
  if (watch?.onFolderChanged && !followed.has(watch)) {
    followed.add(watch);
    watch.onFolderChanged((path) => pushes.get(watch)?.folderChanged(path));
  }
  const shared = push;
  if (!shared.has(mail)) shared.join(mail, deps());
  return {
    listen: (owner, send) => shared.listen(owner, send, mail),
    servedElsewhere: (path, uidValidity, rows) => shared.servedElsewhere(path, uidValidity, rows),
  };
}
