/**
 * Changing the folder tree: CREATE, RENAME (which also moves a folder under another), DELETE,
 * SUBSCRIBE/UNSUBSCRIBE, and emptying Trash or Junk. Each one lists the folders first and
 * checks everything it can before sending a command, so a refused request changes nothing on
 * the server:
 *
 * - names follow the protocol's rule (`folderNameProblem`: not empty or only spaces, at most
 *   MAX_FOLDER_NAME characters, no control characters, no hierarchy delimiter) and are joined
 *   to their parent with the server's delimiter; bad ones are folder_name_invalid;
 * - a name already taken at the destination is folder_exists (also when the server says
 *   ALREADYEXISTS after all, e.g. a folder created meanwhile elsewhere);
 * - INBOX and the special-use folders (Sent, Drafts, Trash, Junk, Archive, …) cannot be renamed,
 *   moved or deleted (folder_protected), nor can a folder that holds one;
 * - a folder cannot move into itself or its own subfolders.
 *
 * Subfolders follow a rename (the server moves them) and a delete (deleted first, deepest
 * first). Subscriptions follow a rename and are dropped with a delete. Non-ASCII names go as
 * UTF-8 where the server enabled UTF8=ACCEPT, else imapflow encodes them in modified UTF-7.
 * Emptying is for the \Trash and \Junk folders only, and is final (IMAP has no undo for EXPUNGE).
 * The connection's special-use folders (mailboxes.ts, specialFolder) are forgotten before a
 * change and noted again by the listing each one answers with. `note` hears the folder paths a
 * command is about to change, before it is sent, so that the server's NOTIFY report of the
 * change is known for Ferry's own (live/folder-echoes.ts).
 */
import { folderNameProblem, type TFolderNameProblem, type TMailbox } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { BridgeError } from "../errors";
import { commandError } from "./errors";
import { withMailbox } from "./mailbox-access";
import { forgetSpecialFolders, listMailboxes } from "./mailboxes";
import { invalidateWindowCache } from "./window";

const PROBLEM_TEXT: Record<TFolderNameProblem, (delimiter: string | null) => string> = {
  empty: () => "A folder name cannot be empty or only spaces.",
  too_long: () => "That folder name is too long.",
  control_character: () => "A folder name cannot hold line breaks or other control characters.",
  delimiter: (d) =>
    `A folder name cannot contain “${d ?? ""}”: it separates folders on this server.`,
  reserved: () => "INBOX is reserved for the inbox.",
};

/** What a folder change answers: the folder's path afterwards (null: deleted) and the new tree. */
export interface FolderResult {
  path: string | null;
  mailboxes: TMailbox[];
}

/** Hears the folder paths a change is about to touch (see the module comment). */
export type NoteChange = (paths: readonly string[]) => void;

const noNote: NoteChange = () => {};

function isInbox(path: string): boolean {
  return path.toUpperCase() === "INBOX";
}

function samePath(a: string, b: string): boolean {
  return a === b || (isInbox(a) && isInbox(b));
}

/** The server's hierarchy delimiter, as its folders report it (INBOX's first). */
function delimiterOf(tree: readonly TMailbox[]): string | null {
  const inbox = tree.find((m) => isInbox(m.path));
  return inbox?.delimiter ?? tree.find((m) => m.delimiter !== null)?.delimiter ?? null;
}

function find(tree: readonly TMailbox[], path: string): TMailbox | undefined {
  return tree.find((m) => samePath(m.path, path));
}

/** `path` and every folder below it, deepest first. */
function subtree(tree: readonly TMailbox[], path: string, delimiter: string | null): TMailbox[] {
  const prefix = delimiter ? `${path}${delimiter}` : null;
  return tree
    .filter((m) => m.path === path || (prefix !== null && m.path.startsWith(prefix)))
    .sort((a, b) => b.path.length - a.path.length);
}

function isProtected(m: TMailbox): boolean {
  return isInbox(m.path) || m.specialUse !== null;
}

/** The folder at `path`, or mailbox_not_found. */
function existing(tree: readonly TMailbox[], path: string): TMailbox {
  const found = find(tree, path);
  if (!found) throw new BridgeError("mailbox_not_found", "That folder no longer exists.");
  return found;
}

/** The full path for `name` inside `parent`, checked; throws folder_name_invalid. */
function joinPath(tree: readonly TMailbox[], parent: string | null, name: string): string {
  const delimiter = delimiterOf(tree);
  const problem = folderNameProblem(name, delimiter, parent === null);
  if (problem !== null) {
    throw new BridgeError("folder_name_invalid", PROBLEM_TEXT[problem](delimiter));
  }
  if (parent === null) return name;
  if (delimiter === null) {
    throw new BridgeError("bad_request", "This server does not keep folders inside folders.");
  }
  const into = find(tree, parent);
  if (!into) throw new BridgeError("mailbox_not_found", "The folder to put it in does not exist.");
  return `${into.path}${delimiter}${name}`;
}

function assertFree(tree: readonly TMailbox[], path: string): void {
  if (find(tree, path)) {
    throw new BridgeError("folder_exists", "A folder of that name already exists there.");
  }
}

/** folder_exists when the server refused because the name is taken, else commandError. */
function changeError(err: unknown, refused: string): BridgeError {
  const code =
    typeof err === "object" && err !== null && "serverResponseCode" in err
      ? String((err as { serverResponseCode: unknown }).serverResponseCode).toUpperCase()
      : "";
  if (code === "ALREADYEXISTS") {
    return new BridgeError("folder_exists", "A folder of that name already exists there.", {
      cause: err,
    });
  }
  return commandError(err, refused);
}

async function done(client: ImapFlow, path: string | null): Promise<FolderResult> {
  return { path, mailboxes: await listMailboxes(client) };
}

/** Creates `name` inside `parent` (null: at the top level) and subscribes to it. */
export async function createFolder(
  client: ImapFlow,
  parent: string | null,
  name: string,
  note: NoteChange = noNote,
): Promise<FolderResult> {
  const tree = await listMailboxes(client);
  const path = joinPath(tree, parent, name);
  assertFree(tree, path);
  let created: { path: string; created: boolean };
  forgetSpecialFolders(client);
  note([path]);
  try {
    created = await client.mailboxCreate(path);
  } catch (err) {
    throw changeError(err, "The mail server did not create the folder.");
  }
  if (!created.created) {
    throw new BridgeError("folder_exists", "A folder of that name already exists there.");
  }
  return done(client, created.path || path);
}

/** Renames the folder at `path` to `name` inside `parent`: a rename, a move, or both. */
export async function renameFolder(
  client: ImapFlow,
  path: string,
  parent: string | null,
  name: string,
  note: NoteChange = noNote,
): Promise<FolderResult> {
  const tree = await listMailboxes(client);
  const delimiter = delimiterOf(tree);
  const folder = existing(tree, path);
  const moved = subtree(tree, folder.path, delimiter);
  if (moved.some(isProtected)) {
    throw new BridgeError("folder_protected", "This folder cannot be renamed or moved.");
  }
  if (parent !== null && moved.some((m) => samePath(m.path, parent))) {
    throw new BridgeError("bad_request", "A folder cannot be moved into itself.");
  }
  const target = joinPath(tree, parent, name);
  if (target === folder.path) return done(client, folder.path);
  assertFree(tree, target);
  forgetSpecialFolders(client);
  note(moved.flatMap((m) => [m.path, `${target}${m.path.slice(folder.path.length)}`]));
  try {
    await client.mailboxRename(folder.path, target);
  } catch (err) {
    throw changeError(err, "The mail server did not rename the folder.");
  }
  // Subscriptions go with the folders (servers differ in whether RENAME moves them).
  for (const m of moved) {
    const renamed = `${target}${m.path.slice(folder.path.length)}`;
    await client.mailboxUnsubscribe(m.path).catch(() => false);
    if (m.subscribed) await client.mailboxSubscribe(renamed).catch(() => false);
    invalidateWindowCache(client, m.path);
  }
  return done(client, target);
}

/** Deletes the folder at `path`, its subfolders first, with their messages. */
export async function deleteFolder(
  client: ImapFlow,
  path: string,
  note: NoteChange = noNote,
): Promise<FolderResult> {
  const tree = await listMailboxes(client);
  const folder = existing(tree, path);
  const doomed = subtree(tree, folder.path, delimiterOf(tree));
  if (doomed.some(isProtected)) {
    throw new BridgeError("folder_protected", "This folder cannot be deleted.");
  }
  forgetSpecialFolders(client);
  for (const m of doomed) {
    // Again before each: the echo of the last comes some time after the first was sent.
    note(doomed.map((d) => d.path));
    try {
      await client.mailboxDelete(m.path);
    } catch (err) {
      throw changeError(err, "The mail server did not delete the folder.");
    }
    await client.mailboxUnsubscribe(m.path).catch(() => false);
    invalidateWindowCache(client, m.path);
  }
  return done(client, null);
}

/** Subscribes to the folder at `path` (it shows in the folder pane) or unsubscribes. */
export async function subscribeFolder(
  client: ImapFlow,
  path: string,
  subscribed: boolean,
  note: NoteChange = noNote,
): Promise<FolderResult> {
  const tree = await listMailboxes(client);
  const folder = existing(tree, path);
  if (!subscribed && isInbox(folder.path)) {
    throw new BridgeError("folder_protected", "The inbox is always shown.");
  }
  let ok: boolean;
  note([folder.path]);
  try {
    ok = subscribed
      ? await client.mailboxSubscribe(folder.path)
      : await client.mailboxUnsubscribe(folder.path);
  } catch (err) {
    throw commandError(err, "The mail server did not change the subscription.");
  }
  if (!ok)
    throw new BridgeError("server_refused", "The mail server did not change the subscription.");
  return done(client, folder.path);
}

/** Deletes every message in the \Trash or \Junk folder at `path`, for good. */
export async function emptyFolder(client: ImapFlow, path: string): Promise<FolderResult> {
  const tree = await listMailboxes(client);
  const folder = existing(tree, path);
  if (folder.specialUse !== "trash" && folder.specialUse !== "junk") {
    throw new BridgeError("bad_request", "Only Trash and Junk can be emptied.");
  }
  await withMailbox(client, folder.path, { readOnly: false }, async (mailbox) => {
    if (mailbox.readOnly === true) {
      throw new BridgeError("read_only", "This folder cannot be changed.");
    }
    if (mailbox.exists === 0) return;
    if (!(await client.messageDelete("1:*"))) {
      throw new BridgeError("server_refused", "The mail server did not empty the folder.");
    }
  });
  invalidateWindowCache(client, folder.path);
  return done(client, folder.path);
}
