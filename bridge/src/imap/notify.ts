/**
 * IMAP NOTIFY (RFC 5465) on an imapflow connection: the server pushes a STATUS whenever a
 * message arrives, goes away or changes flags in one of the user's folders, and a LIST when a
 * folder is created, deleted, renamed or (un)subscribed, without the client asking.
 *
 * imapflow (2.10) has no API for NOTIFY, so this module uses the two hooks imapflow's own
 * command modules use (lib/commands/*.js), which its typings leave out:
 * - `exec(command, attributes, { untagged })`, its command runner (it quotes and encodes the
 *   attributes and resolves with `{ next }` once the command completed; `next()` must be called
 *   or the reader stops), to send `NOTIFY SET STATUS …`;
 * - `untaggedHandlers[KEYWORD]`, the connection-wide table its reader consults for an untagged
 *   response no running command claims, to receive the STATUS and LIST responses that NOTIFY
 *   brings between commands.
 * Both are checked at run time (internalsOf); without them, or when the server has no NOTIFY or
 * refuses the command, subscribe() answers null and the caller keeps polling. A NOTIFY connection
 * must run no command of its own that reads untagged STATUS (imapflow's status() and
 * LIST-STATUS take any STATUS that arrives while they run), so it is a connection apart, with
 * nothing selected. Upstream, this would be a `client.notify(spec)` method and `status`/`list`
 * events; the shapes here are chosen so that such an API can replace this module as is.
 *
 * What is asked: counts (MessageNew, MessageExpunge, FlagChange) of every folder but INBOX,
 * which the bridge watches with IDLE anyway (that leaves out the one folder every delivery
 * touches), and folder-set changes (MailboxName, SubscriptionChange) of all personal folders.
 * STATUS at the start gives the counts of every such folder at once. When the folder set
 * changes, the folders are listed again and the NOTIFY SET is renewed with the new set.
 *
 * What is reported as changed is what that listing shows changed since the one before (folders
 * come, go, or change subscription or special use), not what the LIST responses name: Dovecot
 * also sends a LIST for folders it only materialises (its `auto = subscribe` ones, at the
 * account's first folder change), and a LIST without \Subscribed reads the same for a folder
 * created as for one unsubscribed, so only the two listings tell whether anything changed.
 */
import type { ImapFlow, ListResponse } from "imapflow";
import type { Logger } from "pino";

/** What NOTIFY reports, as the caller sees it. */
export interface NotifyHandlers {
  /**
   * New counts of `path` (imapflow's decoded path). Dovecot sends only what changed: a flag
   * change brings `unseen` alone.
   */
  status(path: string, counts: { messages?: number; unseen?: number }): void;
  /**
   * Folders were created, deleted, renamed or (un)subscribed: `paths` (imapflow's decoded paths)
   * are those that came, went or changed, a rename's old and new paths alike.
   */
  foldersChanged(paths: readonly string[]): void;
}

/** A running NOTIFY subscription. */
export interface NotifySubscription {
  /** The folders whose counts are reported (paths), as of the last NOTIFY SET. */
  readonly folders: readonly string[];
  /** STATUS responses handed to `status` so far (the caller compares two readings). */
  readonly received: number;
  /**
   * Lists the folders again and sends the NOTIFY SET anew (after one under way, if any), which
   * makes Dovecot watch its current list index log again (see folder-notify.ts). Never rejects.
   */
  renew(): Promise<void>;
  /** Stops listening (the connection stays as it is: its owner logs it out). */
  stop(): void;
}

/** A token of an imapflow command or response (its parser's and compiler's node shape). */
interface ImapNode {
  type: string;
  value?: unknown;
}
type ImapAttribute = ImapNode | ImapAttribute[];

interface Untagged {
  command?: string;
  attributes?: unknown[];
}
type UntaggedHandler = (untagged: Untagged) => Promise<void> | void;

/** The parts of imapflow's connection this module uses (see the module comment). */
interface ImapFlowInternals {
  exec(
    command: string,
    attributes: ImapAttribute[],
    options?: { untagged?: Record<string, UntaggedHandler> },
  ): Promise<{ next?: () => void }>;
  untaggedHandlers: Record<string, UntaggedHandler | null | undefined>;
}

function hasInternals(client: object): client is ImapFlowInternals {
  return (
    "exec" in client &&
    typeof client.exec === "function" &&
    "untaggedHandlers" in client &&
    typeof client.untaggedHandlers === "object" &&
    client.untaggedHandlers !== null
  );
}

/** imapflow's command runner and untagged table, or null when this imapflow lacks them. */
export function internalsOf(client: ImapFlow): ImapFlowInternals | null {
  return hasInternals(client) ? client : null;
}

/** The server offers NOTIFY and this imapflow can be driven to use it. */
export function canNotify(client: ImapFlow): boolean {
  return client.capabilities.has("NOTIFY") && internalsOf(client) !== null;
}

const COUNT_EVENTS = ["MessageNew", "MessageExpunge", "FlagChange"];
const FOLDER_EVENTS = ["MailboxName", "SubscriptionChange"];

const atom = (value: string): ImapNode => ({ type: "ATOM", value });

/** The NOTIFY SET command's attributes for counts of `listed` (names as the server lists them). */
export function notifySetAttributes(listed: readonly string[]): ImapAttribute[] {
  const attrs: ImapAttribute[] = [atom("SET"), atom("STATUS")];
  if (listed.length > 0) {
    attrs.push([
      atom("mailboxes"),
      listed.map((name) => ({ type: "STRING", value: name })),
      COUNT_EVENTS.map(atom),
    ]);
  }
  attrs.push([atom("personal"), FOLDER_EVENTS.map(atom)]);
  return attrs;
}

/** A token's text: atoms and strings are strings, literals Buffers. */
function textOf(node: unknown): string | null {
  if (typeof node !== "object" || node === null || !("value" in node)) return null;
  const { value } = node;
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return null;
}

/** `* STATUS name (MESSAGES n UNSEEN n …)` as the raw name and the counts it carries. */
export function parseStatus(
  untagged: Untagged,
): { name: string; counts: { messages?: number; unseen?: number } } | null {
  const [nameNode, list] = untagged.attributes ?? [];
  const name = textOf(nameNode);
  if (name === null || !Array.isArray(list)) return null;
  const counts: { messages?: number; unseen?: number } = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    const key = textOf(list[i])?.toUpperCase();
    const raw = textOf(list[i + 1]);
    if (raw === null || !/^\d{1,10}$/.test(raw)) continue;
    const n = Number(raw);
    if (key === "MESSAGES") counts.messages = n;
    else if (key === "UNSEEN") counts.unseen = n;
  }
  return { name, counts };
}

/** What of a listed folder counts as a change of the folder set. */
function stateOf(entry: ListResponse): string {
  const noselect = entry.flags.has("\\Noselect") || entry.flags.has("\\NonExistent");
  return `${entry.subscribed === true} ${entry.specialUse ?? ""} ${noselect}`;
}

/** The paths that came, went or changed state between two listings (see stateOf). */
export function changedPaths(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const changed = [...after].filter(([path, state]) => before.get(path) !== state).map(([p]) => p);
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return changed;
}

/**
 * Asks the server (on `client`, a connection kept for this) to push count changes of every folder
 * but INBOX, and folder-set changes, to `handlers`. Resolves once the first NOTIFY SET completed
 * (the STATUS of every folder has come by then), or null when NOTIFY cannot be used here; rejects
 * when the connection fails.
 */
export async function subscribeNotify(
  client: ImapFlow,
  handlers: NotifyHandlers,
  log: Logger,
): Promise<NotifySubscription | null> {
  const internals = internalsOf(client);
  if (!internals || !client.capabilities.has("NOTIFY")) return null;
  /** Decoded paths by the names the server lists (and reports STATUS with). */
  let paths = new Map<string, string>();
  /** Names the last LIST gave that are not reported (INBOX, \Noselect): Dovecot may still send them. */
  let ignored = new Set<string>();
  let stopped = false;
  let resyncing: Promise<void> | null = null;
  let received = 0;
  let resyncAgain = false;
  /** Each folder's state (stateOf) by path, as of the last listing. */
  let listed: Map<string, string> | null = null;

  const renew = async (): Promise<void> => {
    const list = await client.list();
    const before = listed;
    listed = new Map(list.map((m) => [m.path, stateOf(m)]));
    if (before) {
      const changed = changedPaths(before, listed);
      if (changed.length > 0) handlers.foldersChanged(changed);
      else log.debug("notify: folders listed again, nothing changed");
    }
    const reported = list.filter(
      (m) => !m.flags.has("\\Noselect") && m.path.toUpperCase() !== "INBOX",
    );
    paths = new Map(reported.map((m) => [m.pathAsListed, m.path]));
    ignored = new Set(list.filter((m) => !paths.has(m.pathAsListed)).map((m) => m.pathAsListed));
    const response = await internals.exec("NOTIFY", notifySetAttributes([...paths.keys()]));
    response.next?.();
  };

  /**
   * Lists the folders again and renews the NOTIFY SET; one at a time, the last one wins. Resolves
   * once the renewal asked for has run (or failed, which the connection's owner sees anyway).
   */
  const resync = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (resyncing) {
      resyncAgain = true;
      return resyncing.then(() => resyncing ?? undefined);
    }
    const run: Promise<void> = renew()
      .catch((err: unknown) => log.debug({ err }, "notify: renewing NOTIFY SET failed"))
      .finally(() => {
        resyncing = null;
        if (resyncAgain) {
          resyncAgain = false;
          void resync();
        }
      });
    resyncing = run;
    return run;
  };

  const onStatus: UntaggedHandler = (untagged) => {
    if (stopped) return;
    const parsed = parseStatus(untagged);
    if (!parsed) return;
    const path = paths.get(parsed.name);
    if (ignored.has(parsed.name) || parsed.name.toUpperCase() === "INBOX") return;
    if (path === undefined) {
      // A folder this subscription does not know yet (created meanwhile): list again.
      void resync();
      return;
    }
    received++;
    handlers.status(path, parsed.counts);
  };
  const onList: UntaggedHandler = () => {
    if (stopped) return;
    // What changed is told by the listing that follows (see the module comment). Not from
    // inside the reader: the LIST and NOTIFY that follow need it to go on reading.
    setImmediate(() => void resync());
  };

  internals.untaggedHandlers.STATUS = onStatus;
  internals.untaggedHandlers.LIST = onList;
  const stop = () => {
    stopped = true;
    if (internals.untaggedHandlers.STATUS === onStatus) internals.untaggedHandlers.STATUS = null;
    if (internals.untaggedHandlers.LIST === onList) internals.untaggedHandlers.LIST = null;
  };
  try {
    await renew();
  } catch (err) {
    stop();
    if (!client.usable) throw err;
    // The server refused NOTIFY (e.g. it has no mailbox list index after all): poll instead.
    log.info({ err }, "notify: the server refused NOTIFY; counts are polled");
    return null;
  }
  return {
    get folders() {
      return [...paths.values()];
    },
    get received() {
      return received;
    },
    renew: resync,
    stop,
  };
}
