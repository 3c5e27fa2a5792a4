/**
 * Every folder's counts as last pushed (FolderCounts): `mailbox.status` when a folder's message
 * or unseen count changed (from a watcher, or from the counts poll's LIST-STATUS), and
 * `mailboxes.changed` when the folder set (paths, flags, subscriptions) did.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ListResponse } from "imapflow";

export class FolderCounts {
  /** Last counts sent (or seen at the baseline poll), by mailbox path. */
  private readonly counts = new Map<string, { messages: number; unseen: number }>();
  /** Hash of the folder set (paths, flags, subscriptions); null before the first poll. */
  private folderSig: number | null = null;

  constructor(private readonly emit: (frame: TServerFrame) => void) {}

  /** The counts last sent for `mailbox`, or null. */
  get(mailbox: string): { messages: number; unseen: number } | null {
    return this.counts.get(mailbox) ?? null;
  }

  /** mailbox.status for `mailbox` unless these are the counts last sent. */
  update(mailbox: string, messages: number, unseen: number): void {
    const prev = this.counts.get(mailbox);
    if (prev && prev.messages === messages && prev.unseen === unseen) return;
    this.counts.set(mailbox, { messages, unseen });
    this.emit({ type: "mailbox.status", mailbox, messages, unseen });
  }

  /**
   * One LIST-STATUS answer: mailbox.status for every folder whose counts changed (every folder,
   * the first time: a baseline taken silently could hide a change that raced it), and
   * mailboxes.changed when the folder set changed since the previous answer.
   */
  apply(list: ListResponse[]): void {
    list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let sig = FNV_OFFSET;
    const seen = new Set<string>();
    for (const mb of list) {
      const flags = [...mb.flags].sort().join(" ");
      sig = fnv1a(sig, `${mb.path}\u0000${mb.subscribed ? 1 : 0}\u0000${flags}\u0001`);
      const status = mb.status;
      if (status && typeof status.messages === "number" && typeof status.unseen === "number") {
        seen.add(mb.path);
        this.update(mb.path, status.messages, status.unseen);
      }
    }
    for (const path of this.counts.keys()) if (!seen.has(path)) this.counts.delete(path);
    if (this.folderSig !== null && sig !== this.folderSig) this.emit({ type: "mailboxes.changed" });
    this.folderSig = sig;
  }
}

const FNV_OFFSET = 0x811c9dc5;

function fnv1a(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
