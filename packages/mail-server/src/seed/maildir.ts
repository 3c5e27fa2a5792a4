// Maildir++ writer for the seeder. Owns: mapping IMAP folder names to Maildir++ directories,
// creating folders (cur/new/tmp + maildirfolder), and writing messages straight into cur/ with
// the ":2,<flags>" info suffix, S=/W= sizes and the file mtime set to the arrival date (Dovecot
// reads INTERNALDATE from the mtime). Writes stream from any (async) iterable with bounded
// concurrency, so 100k messages never sit in memory at once. Ownership (chown) and indexing are
// the fixture's `reindex()`.

import { mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { GeneratedMessage, MessageFlags } from "./generate";

export interface WriteStats {
  count: number;
  unseen: number;
  flagged: number;
  bytes: number;
  /** wall time of the whole call, including time spent pulling messages from the iterable */
  ms: number;
  /** time spent inside the iterable (i.e. generating), a subset of `ms` */
  sourceMs: number;
}

export interface WriteOptions {
  /** files in flight at once (default 64) */
  concurrency?: number;
}

/** Maildir info flags, alphabetical as the spec requires: D draft, F flagged, R replied, S seen. */
export function maildirFlags(flags: MessageFlags): string {
  return `${flags.draft ? "D" : ""}${flags.flagged ? "F" : ""}${flags.answered ? "R" : ""}${flags.seen ? "S" : ""}`;
}

/** Directory of `folder` under a Maildir++ root: INBOX is the root, "A/B" is ".A.B". */
export function maildirFolderPath(root: string, folder: string): string {
  if (folder.toUpperCase() === "INBOX") return root;
  if (folder.includes(".")) throw new Error(`Maildir++ folder names cannot contain ".": ${folder}`);
  return join(root, `.${folder.split("/").join(".")}`);
}

/** Creates the folder (cur/new/tmp, and `maildirfolder` for non-INBOX) if missing; returns its path. */
export async function ensureMaildirFolder(root: string, folder: string): Promise<string> {
  const dir = maildirFolderPath(root, folder);
  await Promise.all(["cur", "new", "tmp"].map((d) => mkdir(join(dir, d), { recursive: true })));
  if (dir !== root) {
    // "wx" keeps an existing marker as is
    await writeFile(join(dir, "maildirfolder"), "", { flag: "wx" }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      },
    );
  }
  return dir;
}

/** Size after LF → CRLF conversion (Dovecot's W= "virtual size"). */
function virtualSize(raw: Buffer): number {
  let extra = 0;
  let i = raw.indexOf(10);
  while (i !== -1) {
    if (i === 0 || raw[i - 1] !== 13) extra++;
    i = raw.indexOf(10, i + 1);
  }
  return raw.length + extra;
}

let runCounter = 0;

/**
 * Writes `messages` into `folder` of the Maildir++ at `maildirRoot`. File names are
 * `<unix time>.<run>_<n>.ferry,S=<size>,W=<vsize>:2,<flags>`: the leading arrival time makes
 * Dovecot hand out UIDs in date order when it first scans the folder.
 */
export async function writeMaildir(
  maildirRoot: string,
  folder: string,
  messages: Iterable<GeneratedMessage> | AsyncIterable<GeneratedMessage>,
  opts: WriteOptions = {},
): Promise<WriteStats> {
  const t0 = performance.now();
  const dir = await ensureMaildirFolder(maildirRoot, folder);
  const cur = join(dir, "cur");
  const run = `P${process.pid}R${(runCounter++).toString(36)}T${Date.now().toString(36)}`;
  const concurrency = Math.max(1, opts.concurrency ?? 64);
  const stats: WriteStats = { count: 0, unseen: 0, flagged: 0, bytes: 0, ms: 0, sourceMs: 0 };

  const writeOne = async (m: GeneratedMessage, n: number): Promise<void> => {
    const size = m.raw.length;
    const secs = Math.floor(m.date.getTime() / 1000);
    const name = `${secs}.${run}_${String(n).padStart(7, "0")}.ferry,S=${size},W=${virtualSize(m.raw)}:2,${maildirFlags(m.flags)}`;
    const file = join(cur, name);
    const fh = await open(file, "wx", 0o600);
    try {
      await fh.writeFile(m.raw);
      await fh.utimes(m.date, m.date);
    } finally {
      await fh.close();
    }
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const iterator =
    Symbol.asyncIterator in messages
      ? (messages as AsyncIterable<GeneratedMessage>)[Symbol.asyncIterator]()
      : (messages as Iterable<GeneratedMessage>)[Symbol.iterator]();
  for (;;) {
    const s0 = performance.now();
    const step = await iterator.next();
    stats.sourceMs += performance.now() - s0;
    if (step.done) break;
    const m = step.value;
    const n = stats.count++;
    stats.bytes += m.raw.length;
    if (!m.flags.seen) stats.unseen++;
    if (m.flags.flagged) stats.flagged++;
    const p = writeOne(m, n).then(
      () => {
        inFlight.delete(p);
      },
      (err: unknown) => {
        inFlight.delete(p);
        failure ??= err;
      },
    );
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure !== undefined) break;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) {
    await iterator.return?.();
    throw failure;
  }
  stats.ms = performance.now() - t0;
  return stats;
}
