/**
 * What a sign-in's look into Sent found, kept per account in this process (KeptSent), so that
 * the next sign-in of the account, when Sent has not changed, is answered without waiting for a
 * Sent connection (a TLS connect, login, LIST and EXAMINE before its SEARCH: the longest wait
 * of a repeat sign-in's answer). Only the sign-in answer's read uses it (session/inbox-head.ts);
 * every later window looks into Sent on the Sent connection as before.
 *
 * What is kept, per account key (kept-orders.ts's accountOfConnection): Sent's stamp (its path,
 * UIDVALIDITY, next UID, message count and HIGHESTMODSEQ, from one STATUS on the connection that
 * verified the password, taken before the lookup), INBOX's (the same, as its SELECT told them
 * to that read), and the last lookup:
 * its search terms and the rows and references it found. A kept lookup is used only under the
 * same Sent stamp and for the same terms. Any append, expunge or flag change in Sent moves its
 * HIGHESTMODSEQ (so a server without one keeps nothing), and the stamp was taken before the
 * search, so a change made while the lookup ran leaves the kept stamp behind: the next sign-in
 * looks again. INBOX's stamp only tells the sign-in whether its window is likely the same (and so
 * its terms): when not, it opens the Sent connection once INBOX is selected, not after a miss.
 * Bounded by MAX_KEPT_ROWS in all (the least recently used account forgotten first).
 */
import type { TMessageRow } from "@ferry/protocol";
import type { ImapFlow, MailboxObject } from "imapflow";
import { type SentMark, sentMark } from "./sent-links";

/** Rows kept in all, across accounts (a row is well under 1 KB: at most about 20 MB). */
export const MAX_KEPT_ROWS = 20_000;

/** What one look into Sent found: its rows, each one's references, and where. */
export interface SentFound {
  mailbox: string;
  uidValidity: number;
  rows: TMessageRow[];
  refs: Map<number, string[]>;
}

/** Lookups answered from what was kept, and lookups to keep (one sign-in's read). */
export interface SentLookups {
  /** The kept result of the lookup with terms `key` in `path`, as a copy; else undefined. */
  get(path: string, key: string): SentFound | undefined;
  /** Keeps `found` as the result of the lookup with terms `key` in `path`. */
  put(path: string, key: string, found: SentFound): void;
}

interface Entry {
  sent: string;
  inbox: string;
  path: string;
  key: string;
  found: SentFound;
}

/** A stamp as compared: equal strings, equal state. Null when the server keeps no HIGHESTMODSEQ. */
export function stampOf(mark: SentMark): string | null {
  if (mark.highestModseq === null) return null;
  return [mark.path, mark.uidValidity, mark.uidNext, mark.messages, mark.highestModseq].join(" ");
}

function copyOf(found: SentFound): SentFound {
  return structuredClone(found);
}

export class KeptSent {
  private readonly byAccount = new Map<string, Entry>();
  private rows = 0;

  constructor(private readonly maxRows = MAX_KEPT_ROWS) {}

  /** Whether `account`'s kept lookup was made at these stamps of Sent and INBOX. */
  matches(account: string, sent: string, inbox: string): boolean {
    const entry = this.byAccount.get(account);
    return entry !== undefined && entry.sent === sent && entry.inbox === inbox;
  }

  /** Whether anything is kept for `account`. */
  has(account: string): boolean {
    return this.byAccount.has(account);
  }

  /**
   * The lookups of one read of `account`'s rows, made with Sent at stamp `sent`; `inbox()` is
   * INBOX's stamp as that read found it (kept with a lookup).
   */
  lookups(account: string, sent: string, inbox: () => string): SentLookups {
    return {
      get: (path, key) => {
        const entry = this.byAccount.get(account);
        if (!entry || entry.sent !== sent || entry.path !== path || entry.key !== key) {
          return undefined;
        }
        this.byAccount.delete(account);
        this.byAccount.set(account, entry);
        return copyOf(entry.found);
      },
      put: (path, key, found) => {
        this.drop(account);
        if (found.rows.length > this.maxRows) return;
        this.byAccount.set(account, { sent, inbox: inbox(), path, key, found: copyOf(found) });
        this.rows += found.rows.length;
        for (const oldest of this.byAccount.keys()) {
          if (this.rows <= this.maxRows) break;
          this.drop(oldest);
        }
      },
    };
  }

  /** Forgets `account`'s lookup (tests; Sent found gone). */
  drop(account: string): void {
    const entry = this.byAccount.get(account);
    if (!entry) return;
    this.byAccount.delete(account);
    this.rows -= entry.found.rows.length;
  }
}

/** The lookups kept for the sessions of this process. */
export const keptSent = new KeptSent();

/**
 * Sent's (`sentPath`) stamp, from one STATUS; null when not to be had. (Not INBOX's so: a STATUS
 * of INBOX before its SELECT made that SELECT slower, 188 -> 301 ms at 100,000 messages.)
 */
export async function sentStampOf(client: ImapFlow, sentPath: string): Promise<string | null> {
  try {
    return stampOf(await sentMark(client, sentPath));
  } catch {
    // the window's own read meets a lost connection; without a stamp Sent is looked into anew
    return null;
  }
}

/** A selected folder's stamp, as its SELECT told it. */
export function boxStampOf(box: MailboxObject): string {
  return (
    stampOf({
      path: box.path,
      uidValidity: Number(box.uidValidity),
      uidNext: box.uidNext,
      messages: box.exists,
      highestModseq: box.highestModseq ?? null,
    }) ?? ""
  );
}
