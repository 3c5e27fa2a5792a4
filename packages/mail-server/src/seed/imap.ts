// IMAP APPEND writer for the seeder (the slow, protocol-realistic path for small seeds). Owns:
// creating the target folder when missing and appending each generated message with its flags and
// its date as INTERNALDATE through an already connected imapflow client.

import type { ImapFlow } from "imapflow";
import { type GeneratedMessage, imapFlags } from "./generate";

export interface AppendStats {
  count: number;
  unseen: number;
  flagged: number;
  bytes: number;
  ms: number;
}

export interface AppendOptions {
  /** APPENDs queued at once on the connection (default 4) */
  concurrency?: number;
}

export async function appendImap(
  client: ImapFlow,
  folder: string,
  messages: Iterable<GeneratedMessage> | AsyncIterable<GeneratedMessage>,
  opts: AppendOptions = {},
): Promise<AppendStats> {
  const t0 = performance.now();
  if (folder.toUpperCase() !== "INBOX") {
    // resolves with created:false when the folder already exists
    await client.mailboxCreate(folder);
  }
  const stats: AppendStats = { count: 0, unseen: 0, flagged: 0, bytes: 0, ms: 0 };
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const m of messages) {
    stats.count++;
    stats.bytes += m.raw.length;
    if (!m.flags.seen) stats.unseen++;
    if (m.flags.flagged) stats.flagged++;
    const p = client
      .append(folder, m.raw, imapFlags(m.flags), m.date)
      .then((res) => {
        if (res === false) throw new Error(`APPEND to ${folder} failed for ${m.messageId}`);
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => {
        inFlight.delete(p);
      });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== undefined) break;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  stats.ms = performance.now() - t0;
  return stats;
}
