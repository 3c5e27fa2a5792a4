/**
 * Actions on UID sets: flags, move, copy, archive, delete, mark all read. Each one locks the
 * set's mailbox, checks its UIDVALIDITY (uidvalidity_changed) and refuses to change a mailbox
 * the caller opened read-only, or one the server opened read-only (read_only).
 *
 * - Flags: \Seen, \Flagged, \Answered, \Draft and keywords (IMAP atoms, e.g. "$Forwarded").
 *   \Deleted and other system flags are refused (deleting is `deleteMessages`). Sets of up to
 *   SILENT_THRESHOLD UIDs use a plain STORE, so the server's FETCH replies reach imapflow's
 *   `flags` events like any other change; larger sets use FLAGS.SILENT.
 * - Move/copy report [source UID, destination UID] pairs when the server has UIDPLUS, else null.
 * - Archive moves to the \Archive folder (or the folder imapflow recognises by name, such as
 *   "Archive"). When there is none it fails with mailbox_not_found and creates nothing: making
 *   folders is the user's choice. Archive, Trash (and Junk, imap/rule-actions.ts) are the ones
 *   the connection keeps from its last LIST (mailboxes.ts specialFolder), so an action sends no
 *   LIST of its own; one gone since (renamed or deleted elsewhere) is looked for again, once.
 * - Delete moves to \Trash; in \Trash it adds \Deleted and UID EXPUNGEs exactly those UIDs
 *   (`to: null`). Without UIDPLUS, a plain EXPUNGE is used only when no other message in the
 *   folder is marked \Deleted, since it would remove those too. No Trash folder: fails with
 *   mailbox_not_found rather than destroying mail.
 * - Mark all read: UID SEARCH UNSEEN, then STORE +FLAGS.SILENT (\Seen) on those UIDs only, so a
 *   100,000-message folder costs what its unread messages cost.
 */
import type { TUidSet } from "@ferry/protocol";
import type { CopyResponseObject, ImapFlow, MailboxObject } from "imapflow";
import { BridgeError } from "../errors";
import { assertUidValidity, expandUidSet, packUids, withMailbox } from "./mailbox-access";
import { forgetSpecialFolders, specialFolder } from "./mailboxes";
import { invalidateWindowCache } from "./window";

export interface ActionOptions {
  /** The caller opened this mailbox read-only (EXAMINE): changes are refused. */
  readOnly?: boolean;
}

/** The reply of move, copy, archive and delete, as in `messages.moved`. */
export interface MoveResult {
  /** Destination mailbox, or null when the messages were expunged for good. */
  to: string | null;
  /** [source UID, destination UID] pairs where the server reports them (UIDPLUS). */
  uidMap: [number, number][] | null;
  /** UIDVALIDITY of the destination (from COPYUID), null when unknown or expunged. */
  toUidValidity: number | null;
}

/** Sets larger than this are stored with FLAGS.SILENT. */
export const SILENT_THRESHOLD = 500;

const SYSTEM_FLAGS: Record<string, string> = {
  "\\seen": "\\Seen",
  "\\flagged": "\\Flagged",
  "\\answered": "\\Answered",
  "\\draft": "\\Draft",
};

/** An IMAP atom: printable ASCII without ( ) { SP % * " \ ]. */
const KEYWORD = /^[!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|}~]+$/;

/** The flag as IMAP spells it, or a bad_request BridgeError for one that may not be set here. */
export function normalizeFlag(flag: string): string {
  const trimmed = flag.trim();
  if (trimmed.startsWith("\\")) {
    const system = SYSTEM_FLAGS[trimmed.toLowerCase()];
    if (system) return system;
    throw new BridgeError(
      "bad_request",
      `The flag ${JSON.stringify(trimmed.slice(0, 64))} cannot be set.`,
    );
  }
  if (trimmed.length === 0 || trimmed.length > 64 || !KEYWORD.test(trimmed)) {
    throw new BridgeError(
      "bad_request",
      `The label ${JSON.stringify(trimmed.slice(0, 64))} is not valid.`,
    );
  }
  return trimmed;
}

function readOnlyError(): BridgeError {
  return new BridgeError("read_only", "This folder is open read-only.");
}

/** Locks the set's mailbox, checks UIDVALIDITY and (for changes) write access, then runs fn. */
async function onSet<T>(
  client: ImapFlow,
  set: TUidSet,
  opts: ActionOptions,
  change: boolean,
  fn: (mailbox: MailboxObject, range: string) => Promise<T>,
): Promise<T> {
  if (change && opts.readOnly === true) throw readOnlyError();
  const range = packUids(set.uids);
  // A change needs SELECT; a copy reads in whatever mode the caller (or the session) has.
  return withMailbox(
    client,
    set.mailbox,
    { readOnly: change ? false : opts.readOnly },
    async (mailbox) => {
      assertUidValidity(mailbox, set.uidValidity);
      if (change && mailbox.readOnly === true) throw readOnlyError();
      return fn(mailbox, range);
    },
  );
}

function canUseKeyword(mailbox: MailboxObject, flag: string): boolean {
  const permanent = mailbox.permanentFlags;
  if (!permanent || permanent.size === 0 || permanent.has("\\*")) return true;
  for (const f of permanent) if (f.toLowerCase() === flag.toLowerCase()) return true;
  return false;
}

/** Adds and removes flags on a UID set. */
export async function updateFlags(
  client: ImapFlow,
  set: TUidSet,
  add: readonly string[],
  remove: readonly string[],
  opts: ActionOptions = {},
): Promise<void> {
  const toAdd = [...new Set(add.map(normalizeFlag))];
  const toRemove = [...new Set(remove.map(normalizeFlag))].filter((f) => !toAdd.includes(f));
  if (toAdd.length === 0 && toRemove.length === 0) return;
  await onSet(client, set, opts, true, async (mailbox, range) => {
    for (const flag of toAdd) {
      if (!canUseKeyword(mailbox, flag)) {
        throw new BridgeError("server_refused", "This folder does not accept that flag or label.");
      }
    }
    const storeOpts = { uid: true, silent: set.uids.length > SILENT_THRESHOLD };
    if (toAdd.length > 0 && !(await client.messageFlagsAdd(range, toAdd, storeOpts))) {
      throw new BridgeError("server_refused", "The mail server did not change the flags.");
    }
    if (toRemove.length > 0 && !(await client.messageFlagsRemove(range, toRemove, storeOpts))) {
      throw new BridgeError("server_refused", "The mail server did not change the flags.");
    }
  });
  invalidateWindowCache(client, set.mailbox);
}

function toUidMap(result: CopyResponseObject): [number, number][] | null {
  if (!result.uidMap) return null;
  return [...result.uidMap.entries()].sort((a, b) => a[0] - b[0]);
}

async function mailboxExists(client: ImapFlow, path: string): Promise<boolean> {
  try {
    const found = await client.list({ listOnly: true });
    return found.some(
      (m) =>
        (m.path === path || (m.path.toUpperCase() === "INBOX" && path.toUpperCase() === "INBOX")) &&
        ![...m.flags].some((f) => /^\\(noselect|nonexistent)$/i.test(f)),
    );
  } catch {
    return true;
  }
}

async function transfer(
  client: ImapFlow,
  set: TUidSet,
  to: string,
  opts: ActionOptions,
  mode: "move" | "copy",
): Promise<MoveResult> {
  if (
    to === set.mailbox ||
    (to.toUpperCase() === "INBOX" && set.mailbox.toUpperCase() === "INBOX")
  ) {
    throw new BridgeError("bad_request", "The messages are already in this folder.");
  }
  const result = await onSet(client, set, opts, mode === "move", async (_mailbox, range) =>
    mode === "move"
      ? client.messageMove(range, to, { uid: true })
      : client.messageCopy(range, to, { uid: true }),
  );
  if (!result) {
    if (!(await mailboxExists(client, to))) {
      throw new BridgeError("mailbox_not_found", "The destination folder does not exist.");
    }
    throw new BridgeError(
      "server_refused",
      mode === "move"
        ? "The mail server did not move the messages."
        : "The mail server did not copy the messages.",
    );
  }
  invalidateWindowCache(client, set.mailbox);
  invalidateWindowCache(client, to);
  return {
    to: result.destination || to,
    uidMap: toUidMap(result),
    toUidValidity: result.uidValidity === undefined ? null : Number(result.uidValidity),
  };
}

/** Moves a UID set to `to`. */
export function moveMessages(
  client: ImapFlow,
  set: TUidSet,
  to: string,
  opts: ActionOptions = {},
): Promise<MoveResult> {
  return transfer(client, set, to, opts, "move");
}

/** Copies a UID set to `to`. Allowed from a read-only mailbox: the source does not change. */
export function copyMessages(
  client: ImapFlow,
  set: TUidSet,
  to: string,
  opts: ActionOptions = {},
): Promise<MoveResult> {
  return transfer(client, set, to, opts, "copy");
}

/**
 * Moves a UID set to the account's folder with special use `role`, as this connection keeps it
 * (see the module comment); a kept folder gone since is looked for again, once.
 *
 * @throws BridgeError `mailbox_not_found` with `missing` when the account has no such folder.
 */
export async function moveToRole(
  client: ImapFlow,
  set: TUidSet,
  role: "archive" | "trash" | "junk",
  missing: string,
  opts: ActionOptions = {},
): Promise<MoveResult> {
  for (let attempt = 0; ; attempt++) {
    const to = await specialFolder(client, role);
    if (to === null) throw new BridgeError("mailbox_not_found", missing);
    try {
      return await transfer(client, set, to, opts, "move");
    } catch (err) {
      const gone = err instanceof BridgeError && err.code === "mailbox_not_found";
      if (attempt > 0 || !gone) throw err;
      forgetSpecialFolders(client);
    }
  }
}

/** Moves a UID set to the \Archive folder. */
export async function archiveMessages(
  client: ImapFlow,
  set: TUidSet,
  opts: ActionOptions = {},
): Promise<MoveResult> {
  if (opts.readOnly === true) throw readOnlyError();
  return moveToRole(client, set, "archive", "This account has no Archive folder.", opts);
}

/** Moves a UID set to \Trash, or expunges it for good when it already is in \Trash. */
export async function deleteMessages(
  client: ImapFlow,
  set: TUidSet,
  opts: ActionOptions = {},
): Promise<MoveResult> {
  if (opts.readOnly === true) throw readOnlyError();
  const noTrash = "This account has no Trash folder.";
  const trash = await specialFolder(client, "trash");
  if (trash === null) throw new BridgeError("mailbox_not_found", noTrash);
  if (trash !== set.mailbox) return moveToRole(client, set, "trash", noTrash, opts);

  await onSet(client, set, opts, true, async (_mailbox, range) => {
    if (!client.capabilities.has("UIDPLUS")) {
      // Plain EXPUNGE removes every \Deleted message: only safe when ours are the only ones.
      const deleted = await client.search({ deleted: true }, { uid: true });
      const ours = new Set(set.uids);
      if (deleted === false || deleted === undefined || deleted.some((uid) => !ours.has(uid))) {
        throw new BridgeError(
          "server_refused",
          "The mail server cannot delete only these messages.",
        );
      }
    }
    if (!(await client.messageDelete(range, { uid: true }))) {
      throw new BridgeError("server_refused", "The mail server did not delete the messages.");
    }
  });
  invalidateWindowCache(client, set.mailbox);
  return { to: null, uidMap: null, toUidValidity: null };
}

/** Marks every unread message of `mailbox` read; returns how many were unread. */
export async function markAllRead(
  client: ImapFlow,
  mailbox: string,
  opts: ActionOptions = {},
): Promise<number> {
  if (opts.readOnly === true) throw readOnlyError();
  const count = await withMailbox(client, mailbox, { readOnly: false }, async (selected) => {
    if (selected.readOnly === true) throw readOnlyError();
    let uids: string;
    let n: number;
    if (client.capabilities.has("ESEARCH")) {
      const result = await client.search(
        { seen: false },
        { uid: true, returnOptions: ["ALL", "COUNT"] },
      );
      if (result === false || result === undefined) {
        throw new BridgeError(
          "server_refused",
          "The mail server could not find the unread messages.",
        );
      }
      if (Array.isArray(result)) {
        uids = packUids(result);
        n = result.length;
      } else {
        uids = result.all ?? "";
        n = result.count ?? expandUidSet(uids).length;
      }
    } else {
      const result = await client.search({ seen: false }, { uid: true });
      if (result === false || result === undefined) {
        throw new BridgeError(
          "server_refused",
          "The mail server could not find the unread messages.",
        );
      }
      uids = packUids(result);
      n = result.length;
    }
    if (uids === "" || n === 0) return 0;
    if (!(await client.messageFlagsAdd(uids, ["\\Seen"], { uid: true, silent: true }))) {
      throw new BridgeError("server_refused", "The mail server did not mark the messages read.");
    }
    return n;
  });
  invalidateWindowCache(client, mailbox);
  return count;
}
