// Seeder entry point. Owns: `seedMailbox` (fill a fixture user's INBOX, Sent, Drafts, Archive,
// Trash and Junk with deterministic generated mail — straight into Maildir++ then `reindex`, or
// through IMAP APPEND), the `DEMO_SEED` mailbox shape, and the re-exports of the generator,
// writers and arrival loop.

import type { ImapFlow } from "imapflow";
import { fixtureImapOptions } from "../imap-options";
import type { MailServer } from "../index";
import { nameFromEmail } from "./arrivals";
import { DEFAULT_ANCHOR, type GeneratedMessage, generateMessages, type Owner } from "./generate";
import { appendImap } from "./imap";
import { writeMaildir } from "./maildir";

export { type ArrivalOptions, createArrivals, nameFromEmail, type StopArrivals } from "./arrivals";
export {
  DEFAULT_ANCHOR,
  type FolderRole,
  folderRole,
  type GeneratedMessage,
  type GenerateOptions,
  generate,
  generateMessages,
  imapFlags,
  type MessageFlags,
  type MessageKind,
  type Owner,
} from "./generate";
export { type AppendStats, appendImap } from "./imap";
export {
  ensureMaildirFolder,
  maildirFlags,
  maildirFolderPath,
  type WriteStats,
  writeMaildir,
} from "./maildir";

export interface SeedOptions {
  seed?: number;
  inbox: number;
  sent?: number;
  drafts?: number;
  archive?: number;
  trash?: number;
  junk?: number;
  /** newest message date (default DEFAULT_ANCHOR, so seeds are reproducible) */
  anchor?: Date;
  /** "maildir" (default): write files and reindex; "imap": APPEND over a TLS connection */
  method?: "maildir" | "imap";
  /** display name of the mailbox owner (default: derived from the address) */
  ownerName?: string;
}

export interface SeedResult {
  /** messages written per IMAP folder name */
  counts: Record<string, number>;
  unseen: Record<string, number>;
  flagged: Record<string, number>;
  /** total wall time */
  ms: number;
  /** where the time went; generation and writing overlap (streaming), so generate ⊂ write */
  timings: { generateMs: number; writeMs: number; reindexMs: number };
}

/** Option key → IMAP folder name (Maildir++ directory "." + name). */
export const SEED_FOLDERS = {
  inbox: "INBOX",
  sent: "Sent",
  drafts: "Drafts",
  archive: "Archive",
  trash: "Trash",
  junk: "Junk",
} as const;

export const DEFAULT_SEED = 20240601;

/** A lived-in mailbox of a few hundred messages for the demo and integration tests. */
export const DEMO_SEED: SeedOptions = {
  seed: DEFAULT_SEED,
  inbox: 300,
  sent: 60,
  drafts: 3,
  archive: 80,
  trash: 10,
  junk: 8,
};

/** Wraps an iterable to measure the time spent producing items. */
function timed<T>(items: Iterable<T>, onTime: (ms: number) => void): Iterable<T> {
  return {
    [Symbol.iterator]() {
      const it = items[Symbol.iterator]();
      return {
        next() {
          const t0 = performance.now();
          const r = it.next();
          onTime(performance.now() - t0);
          return r;
        },
        return(value?: unknown) {
          it.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}

export async function seedMailbox(
  server: MailServer,
  email: string,
  opts: SeedOptions,
): Promise<SeedResult> {
  const t0 = performance.now();
  const user = server.user(email);
  const owner: Owner = { name: opts.ownerName ?? nameFromEmail(email), email };
  const seed = opts.seed ?? DEFAULT_SEED;
  const anchor = opts.anchor ?? DEFAULT_ANCHOR;
  const method = opts.method ?? "maildir";
  const result: SeedResult = {
    counts: {},
    unseen: {},
    flagged: {},
    ms: 0,
    timings: { generateMs: 0, writeMs: 0, reindexMs: 0 },
  };

  let client: ImapFlow | undefined;
  if (method === "imap") {
    // loaded on demand: the common Maildir path needs no IMAP client
    const { ImapFlow } = await import("imapflow");
    client = new ImapFlow(fixtureImapOptions(server, user));
    await client.connect();
  }
  try {
    const tw = performance.now();
    for (const key of Object.keys(SEED_FOLDERS) as (keyof typeof SEED_FOLDERS)[]) {
      const count = opts[key];
      if (count === undefined) continue;
      const folder = SEED_FOLDERS[key];
      const messages: Iterable<GeneratedMessage> = timed(
        generateMessages({ seed, count, owner, folder, anchor }),
        (ms) => {
          result.timings.generateMs += ms;
        },
      );
      const stats = client
        ? await appendImap(client, folder, messages)
        : await writeMaildir(user.maildir, folder, messages);
      result.counts[folder] = stats.count;
      result.unseen[folder] = stats.unseen;
      result.flagged[folder] = stats.flagged;
    }
    result.timings.writeMs = performance.now() - tw;
  } finally {
    await client?.logout().catch(() => undefined);
  }
  if (method === "maildir") {
    const tr = performance.now();
    await server.reindex(email);
    result.timings.reindexMs = performance.now() - tr;
  }
  result.ms = performance.now() - t0;
  return result;
}
