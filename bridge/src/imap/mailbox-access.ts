/**
 * Shared plumbing of the IMAP read and action paths: taking the mailbox lock in the right mode
 * (failures leave as BridgeErrors, see imap/errors.ts), the UIDVALIDITY check, UID-set packing,
 * and a raw FETCH for the data items imapflow does not request itself (PREVIEW, BINARY.SIZE).
 */
import type { FetchMessageObject, ImapFlow, MailboxObject } from "imapflow";
import { formatMessageResponse } from "imapflow/lib/tools.js";
import { BridgeError } from "../errors";
import { commandError, connectionLost } from "./errors";
import { execCommand, preCheck, type RawAttribute } from "./exec";

function samePath(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === "INBOX" && b.toUpperCase() === "INBOX");
}

/**
 * The access mode to lock `path` with: the requested one, else the mode the mailbox is already
 * selected in (so a read never flips the session's SELECT into EXAMINE or back), else
 * read-write.
 */
export function lockMode(client: ImapFlow, path: string, requested?: boolean): boolean {
  if (requested !== undefined) return requested;
  const current = client.mailbox;
  if (current && samePath(current.path, path)) return current.readOnly === true;
  return false;
}

/**
 * Runs `fn` with `path` selected (SELECT, or EXAMINE when `readOnly`) under imapflow's mailbox
 * lock, released in `finally`. Every error leaves as a BridgeError.
 *
 * When the mailbox was already selected (imapflow then sends no SELECT), a NOOP first brings the
 * connection's view up to date: a server announces new and expunged messages only in answer to
 * a command, so a connection that was quiet since mail arrived would otherwise count too few
 * messages and not see the new UIDs at all (a window missing the message the browser was just
 * pushed, "message not found" on opening it). `refresh: false` skips that for a caller that
 * has just refreshed (the chunks of one download).
 */
export async function withMailbox<T>(
  client: ImapFlow,
  path: string,
  opts: { readOnly?: boolean | undefined; refresh?: boolean | undefined },
  fn: (mailbox: MailboxObject) => Promise<T>,
): Promise<T> {
  let lock: { release(): void };
  const before = client.mailbox;
  try {
    lock = await client.getMailboxLock(path, { readOnly: lockMode(client, path, opts.readOnly) });
  } catch (err) {
    throw commandError(err, "The mail server could not open this folder.");
  }
  try {
    // imapflow replaces its mailbox object at every SELECT: the same one means none was sent.
    if (opts.refresh !== false && before && client.mailbox === before) await client.noop();
    const mailbox = client.mailbox;
    if (!mailbox) throw connectionLost();
    return await fn(mailbox);
  } catch (err) {
    throw commandError(err);
  } finally {
    lock.release();
  }
}

/** UIDVALIDITY as a number (it is a 32-bit unsigned value, exact in a double). */
export function uidValidityOf(mailbox: MailboxObject): number {
  return Number(mailbox.uidValidity);
}

/** Throws uidvalidity_changed unless the selected mailbox still has `expected`. */
export function assertUidValidity(mailbox: MailboxObject, expected: number): void {
  if (uidValidityOf(mailbox) !== expected) {
    throw new BridgeError("uidvalidity_changed", "This folder was reset on the server; reload it.");
  }
}

/** Packs UIDs into an IMAP sequence set ("1:3,7,9:10"), sorted and deduplicated. */
export function packUids(uids: Iterable<number>): string {
  const sorted = Uint32Array.from(new Set(uids)).sort();
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end++;
      i++;
    }
    out.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return out.join(",");
}

/**
 * Which messages to build rows for: these UIDs, or every message from UID `from` on (new mail:
 * one UID FETCH `from:*` finds and reads them, with no UID SEARCH before it).
 */
export type UidSelection = readonly number[] | { readonly from: number };

/**
 * The UID set to FETCH for `sel`, and the test a returned UID must pass (a FETCH of `from:*`
 * answers the highest message even when it is below `from`; unsolicited FETCHes can land in the
 * same answer). Null when nothing is selected.
 */
export function uidQuery(
  sel: UidSelection,
): { set: string; wanted: (uid: number) => boolean } | null {
  if ("from" in sel) {
    const from = sel.from;
    return { set: `${from}:*`, wanted: (uid) => uid >= from };
  }
  if (sel.length === 0) return null;
  const wanted = new Set(sel);
  return { set: packUids(sel), wanted: (uid) => wanted.has(uid) };
}

/** Expands an IMAP sequence set of numbers (no "*") into an ascending Uint32Array. */
export function expandUidSet(set: string): Uint32Array {
  const values: number[] = [];
  for (const item of set.split(",")) {
    const trimmed = item.trim();
    if (trimmed === "") continue;
    const [a, b] = trimmed.split(":");
    const start = Number(a);
    const end = b === undefined ? start : Number(b);
    if (!Number.isInteger(start) || !Number.isInteger(end)) continue;
    const lo = Math.min(start, end);
    const hi = Math.max(start, end);
    for (let n = lo; n <= hi; n++) values.push(n);
  }
  return Uint32Array.from(values).sort();
}

// ---------------------------------------------------------------------------------------------
// Raw FETCH
// ---------------------------------------------------------------------------------------------

/** One message of a raw FETCH: imapflow's parsed fields plus the extra items by name. */
export interface RawFetchRow {
  message: FetchMessageObject;
  /** Data items imapflow does not parse, keyed by upper-case item name ("PREVIEW", "BINARY.SIZE[2]"). */
  extra: Map<string, RawAttribute | null>;
}

const PARSED_ITEMS = new Set([
  "UID",
  "FLAGS",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "INTERNALDATE",
  "RFC822.SIZE",
  "MODSEQ",
  "EMAILID",
  "THREADID",
]);

function itemName(attr: unknown): string {
  if (typeof attr !== "object" || attr === null) return "";
  const a = attr as RawAttribute;
  let name = typeof a.value === "string" ? a.value.toUpperCase() : "";
  if (Array.isArray(a.section)) {
    const parts = (a.section as RawAttribute[]).map((s) =>
      typeof s?.value === "string" ? s.value.toUpperCase() : "",
    );
    name += `[${parts.join(" ")}]`;
  }
  return name;
}

/**
 * `FETCH`/`UID FETCH` of `range` with raw data items (e.g. "PREVIEW", "BINARY.SIZE[2]") next to
 * the ones imapflow parses. Rows come back in server order. Breaks IDLE first, as imapflow's
 * own commands do; must run under the mailbox lock.
 */
export async function rawFetch(
  client: ImapFlow,
  range: string,
  items: readonly string[],
  opts: { uid: boolean },
): Promise<RawFetchRow[]> {
  const mailbox = client.mailbox;
  if (!mailbox) throw connectionLost();
  await preCheck(client);
  const attributes = items.map((item) => {
    const match = /^([A-Z0-9.]+)\[(.*)\]$/i.exec(item);
    if (!match) return { type: "ATOM", value: item };
    // A header-field list ("HEADER.FIELDS (REFERENCES IN-REPLY-TO)") goes as a section and a list.
    const fields = /^(HEADER\.FIELDS(?:\.NOT)?) \(([^()]*)\)$/i.exec(match[2] ?? "");
    if (fields) {
      const names = (fields[2] ?? "").split(" ").filter((n) => n !== "");
      const list = names.map((value) => ({ type: "ATOM", value }));
      return { type: "ATOM", value: match[1], section: [{ type: "ATOM", value: fields[1] }, list] };
    }
    const section = (match[2] ?? "") === "" ? [] : [{ type: "ATOM", value: match[2] }];
    return { type: "ATOM", value: match[1], section };
  });
  const rows: RawFetchRow[] = [];
  await execCommand(
    client,
    opts.uid ? "UID FETCH" : "FETCH",
    [{ type: "SEQUENCE", value: range }, attributes],
    {
      FETCH: async (untagged) => {
        const message = await formatMessageResponse(
          untagged,
          mailbox,
          client.idHashAlgorithm,
          client,
        );
        const extra = new Map<string, RawAttribute | null>();
        const list = (untagged.attributes as unknown[] | undefined)?.[1];
        if (Array.isArray(list)) {
          for (let i = 0; i + 1 < list.length; i += 2) {
            const name = itemName(list[i]);
            if (!PARSED_ITEMS.has(name))
              extra.set(name, (list[i + 1] as RawAttribute | null) ?? null);
          }
        }
        rows.push({ message, extra });
      },
    },
  );
  return rows;
}

/** A raw string/literal/atom value as text (UTF-8), or null for NIL. */
export function rawText(attr: RawAttribute | null | undefined): string | null {
  if (!attr) return null;
  if (typeof attr.value === "string") return attr.value;
  if (Buffer.isBuffer(attr.value)) return attr.value.toString("utf8");
  return null;
}
