/**
 * Address suggestions for the composer's To/Cc/Bcc: a small per-session index of the addresses
 * in the user's recent mail, built lazily on the first suggestion from the envelopes of the
 * newest messages of INBOX and Sent, and fed with every address the user sends to. People the
 * user writes to rank above people who only write to them; recency breaks ties.
 */
import { isMailAddress, type TAddress } from "@ferry/protocol";
import type { ImapFlow, MessageAddressObject } from "imapflow";
import { withMailbox } from "../imap/mailbox-access";

/** Newest messages read per mailbox when the index is built. */
export const CONTACT_SCAN_MESSAGES = 500;
/** Addresses the index keeps at most. */
export const MAX_CONTACTS = 5000;
/** An index older than this is rebuilt on the next suggestion (in the background). */
export const CONTACTS_TTL_MS = 10 * 60 * 1000;

/** How much one sighting counts. */
export const WEIGHT = { sentTo: 5, from: 2, copied: 1 } as const;

interface Entry {
  name: string;
  address: string;
  score: number;
  lastSeen: number;
}

/** Strips what cannot go into a header field or a chip: controls, line breaks, extra spaces. */
export function cleanName(name: string | undefined): string {
  return (
    (name ?? "")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 200)
  );
}

export class ContactIndex {
  readonly #entries = new Map<string, Entry>();
  readonly builtAt: number;

  constructor(now = Date.now()) {
    this.builtAt = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Records one sighting of `addr` with `weight` at time `seen` (ms). */
  add(
    addr: { name?: string | undefined; address?: string | undefined },
    weight: number,
    seen: number,
  ): void {
    const address = (addr.address ?? "").trim();
    if (!isMailAddress(address)) return;
    const key = address.toLowerCase();
    const name = cleanName(addr.name);
    const entry = this.#entries.get(key);
    if (entry) {
      entry.score += weight;
      if (seen >= entry.lastSeen) {
        entry.lastSeen = seen;
        if (name) entry.name = name;
      } else if (!entry.name && name) {
        entry.name = name;
      }
      return;
    }
    if (this.#entries.size >= MAX_CONTACTS) this.#evict();
    this.#entries.set(key, { name, address, score: weight, lastSeen: seen });
  }

  #evict(): void {
    let worst: [string, Entry] | undefined;
    for (const item of this.#entries) {
      if (
        !worst ||
        item[1].score < worst[1].score ||
        (item[1].score === worst[1].score && item[1].lastSeen < worst[1].lastSeen)
      ) {
        worst = item;
      }
    }
    if (worst) this.#entries.delete(worst[0]);
  }

  /**
   * Up to `limit` contacts whose address, or a word of whose name, starts with `prefix`
   * (case-insensitive), best first; `exclude` holds lower-cased addresses to leave out.
   */
  suggest(prefix: string, limit: number, exclude: Set<string> = new Set()): TAddress[] {
    const p = prefix.trim().toLowerCase();
    const matches: Entry[] = [];
    for (const [key, entry] of this.#entries) {
      if (exclude.has(key)) continue;
      if (
        p === "" ||
        key.startsWith(p) ||
        matchesName(entry.name, p) ||
        domainOf(key).startsWith(p)
      ) {
        matches.push(entry);
      }
    }
    matches.sort((a, b) => b.score - a.score || b.lastSeen - a.lastSeen);
    return matches.slice(0, limit).map((e) => ({ name: e.name, address: e.address }));
  }
}

function matchesName(name: string, prefix: string): boolean {
  if (!name) return false;
  const lower = name.toLowerCase();
  if (lower.startsWith(prefix)) return true;
  return lower.split(/[\s,.'"()-]+/).some((word) => word.startsWith(prefix));
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

function dateOf(value: Date | string | undefined): number {
  const t = value ? new Date(value).getTime() : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Reads the newest envelopes of `mailbox` into `index`; `sent` marks the user's own mail. */
async function scan(
  client: ImapFlow,
  index: ContactIndex,
  mailbox: string,
  sent: boolean,
  count: number,
): Promise<void> {
  await withMailbox(client, mailbox, { readOnly: true }, async (mb) => {
    if (mb.exists === 0) return;
    const first = Math.max(1, mb.exists - count + 1);
    const messages = await client.fetchAll(`${first}:*`, { envelope: true });
    for (const m of messages) {
      const env = m.envelope;
      if (!env) continue;
      const seen = dateOf(env.date);
      const each = (list: MessageAddressObject[] | undefined, weight: number) => {
        for (const a of list ?? []) index.add(a, weight, seen);
      };
      if (sent) {
        each(env.to, WEIGHT.sentTo);
        each(env.cc, WEIGHT.sentTo);
        each(env.bcc, WEIGHT.sentTo);
      } else {
        each(env.from, WEIGHT.from);
        each(env.replyTo, WEIGHT.copied);
        each(env.cc, WEIGHT.copied);
        each(env.to, WEIGHT.copied);
      }
    }
  });
}

/** A new index from INBOX and `sentMailbox` (when the account has one). */
export async function buildContactIndex(
  client: ImapFlow,
  sentMailbox: string | null,
  count = CONTACT_SCAN_MESSAGES,
): Promise<ContactIndex> {
  const index = new ContactIndex();
  await scan(client, index, "INBOX", false, count);
  if (sentMailbox) await scan(client, index, sentMailbox, true, count);
  return index;
}
