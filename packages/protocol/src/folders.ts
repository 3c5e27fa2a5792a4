/**
 * Managing folders: the frames that create, rename (or move), delete, subscribe and empty a
 * folder, and the one rule for a folder name that the browser checks as the user types and the
 * bridge enforces before anything reaches the server.
 *
 * A name is one level of the tree (the bridge joins it to its parent with the server's
 * hierarchy delimiter). It is refused when it is empty or only spaces, longer than
 * MAX_FOLDER_NAME characters, holds a control character (CR, LF, NUL, …) or the delimiter, or
 * (at the top level) is INBOX, which IMAP reserves.
 */
import { z } from "zod";
import { ZMailbox } from "./model";

const ZId = z.string().min(1).max(64);
const ZPath = z.string().min(1).max(1024);
/** Longer names reach the bridge so that it answers folder_name_invalid, not bad_request. */
const ZName = z.string().max(4096);

/** Longest folder name, in characters (one level; the whole path may be longer). */
export const MAX_FOLDER_NAME = 200;

/** Why a folder name cannot be used. */
export const FolderNameProblem = z.enum([
  "empty",
  "too_long",
  "control_character",
  "delimiter",
  "reserved",
]);
export type TFolderNameProblem = z.infer<typeof FolderNameProblem>;

/**
 * What is wrong with `name` as one level of a folder path, or null when it can be used.
 * `delimiter` is the server's hierarchy delimiter (null for a flat namespace).
 */
export function folderNameProblem(
  name: string,
  delimiter: string | null,
  atTopLevel: boolean,
): TFolderNameProblem | null {
  if (name.trim().length === 0) return "empty";
  if ([...name].length > MAX_FOLDER_NAME) return "too_long";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return "control_character";
  if (delimiter !== null && delimiter !== "" && name.includes(delimiter)) return "delimiter";
  if (atTopLevel && name.trim().toUpperCase() === "INBOX") return "reserved";
  return null;
}

// Client → bridge ---------------------------------------------------------------------------

/** CREATE a folder `name` inside `parent` (null: at the top level), and subscribe to it. */
export const ZFolderCreate = z.object({
  type: z.literal("folder.create"),
  id: ZId,
  parent: ZPath.nullable(),
  name: ZName,
});

/**
 * RENAME a folder (its subfolders go with it): to `name` inside `parent` (null: the top
 * level). Keeping the parent renames it; keeping the name moves it.
 */
export const ZFolderRename = z.object({
  type: z.literal("folder.rename"),
  id: ZId,
  path: ZPath,
  parent: ZPath.nullable(),
  name: ZName,
});

/** DELETE a folder, its subfolders first, with every message in them. */
export const ZFolderDelete = z.object({
  type: z.literal("folder.delete"),
  id: ZId,
  path: ZPath,
});

/** SUBSCRIBE to a folder (shown in the folder pane) or UNSUBSCRIBE from it. */
export const ZFolderSubscribe = z.object({
  type: z.literal("folder.subscribe"),
  id: ZId,
  path: ZPath,
  subscribed: z.boolean(),
});

/** Delete every message of the Trash or Junk folder for good. */
export const ZFolderEmpty = z.object({
  type: z.literal("folder.empty"),
  id: ZId,
  path: ZPath,
});

export const FOLDER_CLIENT_FRAMES = [
  ZFolderCreate,
  ZFolderRename,
  ZFolderDelete,
  ZFolderSubscribe,
  ZFolderEmpty,
] as const;

// Bridge → client ---------------------------------------------------------------------------

/** A folder request was carried out. */
export const ZFolderDone = z.object({
  type: z.literal("folder.done"),
  id: ZId,
  /** The folder's path now (created, renamed, subscribed, emptied), or null when deleted. */
  path: z.string().nullable(),
  /** The folder tree after the change, as `mailboxes.list` gives it. */
  mailboxes: z.array(ZMailbox),
});

export const FOLDER_SERVER_FRAMES = [ZFolderDone] as const;
