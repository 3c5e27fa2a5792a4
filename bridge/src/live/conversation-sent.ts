/**
 * The user's Sent as the live conversation push follows it (SentWatch, one per
 * ConversationPush; moved out of conversation-push.ts): where Sent stood at the last look, and,
 * when its count changed, the messages filed since, turned into the pushes of the kept folders'
 * conversations they belong to (threads/sent-links.ts), or a `refetch` of each after a deletion
 * in Sent or a burst. Sent is read on the account's Sent connection when there is one.
 */
import type { TServerFrame } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { forgetSpecialFolders } from "../imap/mailboxes";
import type { SentSide } from "../imap/sent-side";
import { linkedUids, type SentMark, sentFolder, sentMark, sentSince } from "../threads/sent-links";

/** A push a change of Sent asks for: of `path`'s conversations holding `touched`, or a refetch. */
export interface SentPush {
  path: string;
  touched: number[];
  refetch: boolean;
}

export class SentWatch {
  /** Where Sent stood at the last look (undefined: not looked at yet; null: no Sent). */
  mark: SentMark | null | undefined = undefined;
  /** Sent's count changed since the last look. */
  changed = false;
  /** The folder set changed since Sent was found: the next look finds it again. */
  stale = false;

  /** Whether Sent must be looked at (again) before it can be followed. */
  get unknown(): boolean {
    return this.mark === undefined || this.stale;
  }

  /** Sent's place now, as the next look starts from. */
  async look(client: ImapFlow): Promise<void> {
    if (this.stale) forgetSpecialFolders(client);
    this.stale = false;
    const path = await sentFolder(client);
    this.mark = path === null ? null : await sentMark(client, path);
  }

  /** Whether `frame` (a `mailbox.status`) says Sent's count changed. */
  countChanged(frame: Extract<TServerFrame, { type: "mailbox.status" }>): boolean {
    const mark = this.mark;
    return !!mark && frame.mailbox === mark.path && frame.messages !== mark.messages;
  }

  /**
   * The pushes of the `kept` folders that what was filed in Sent since the last look asks for
   * (read on `sent`, else on `client`): the conversations its new messages belong to, where
   * they stand; a refetch of each after a deletion there, or a burst.
   */
  async follow(
    client: ImapFlow,
    sent: SentSide | undefined,
    kept: readonly string[],
  ): Promise<SentPush[]> {
    const before = this.mark;
    if (!before) return [];
    if (this.stale) {
      this.stale = false;
      forgetSpecialFolders(client);
      if ((await sentFolder(client)) !== before.path) {
        await this.look(client);
        return [];
      }
    }
    const { mark, messages } = await (sent
      ? sent.run((side) => sentSince(side, before))
      : sentSince(client, before));
    this.mark = mark;
    const others = kept.filter((p) => p !== mark.path);
    const expunged = messages === null || mark.messages < before.messages + messages.length;
    const pushes: SentPush[] = [];
    for (const path of others) {
      if (expunged) pushes.push({ path, touched: [], refetch: true });
      else if (messages.length > 0) {
        const linked = await linkedUids(client, path, messages);
        if (linked.length > 0) pushes.push({ path, touched: linked, refetch: false });
      }
    }
    return pushes;
  }
}
