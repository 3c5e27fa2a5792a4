/**
 * Settings that follow the user across browsers and devices, kept per account (session/account.ts:
 * the IMAP server and the account name, never an email address alone) in the state store under
 * `settings:<account key>`, and pushed live to every open tab of the account.
 *
 * What is here, and what stays in the browser (web/lib/settings.ts decides per localStorage key):
 * - here: the undo-send delay; conversation view (one row per conversation or per message);
 *   how many days of Inbox bodies the browser keeps for offline reading (the copies themselves,
 *   and their storage budget, stay in that browser: web/lib/offline-bodies.ts);
 *   the senders and domains whose remote content always loads;
 *   identities and signatures (kept by compose/identities.ts, announced from here);
 * - in the browser, because they are about the device rather than the user: the colour theme
 *   (it follows the device's light or dark setting by default and must apply before first
 *   paint), the widths of the panes (a screen's size), the remembered address of who is signed
 *   in (what a reload paints from).
 *
 * Live in every tab: a save pushes `settings.changed` to every socket of the account on this
 * bridge at once. Other bridges sharing the store learn of it from the entry's revision: each
 * bridge reads the revision of the accounts it has sockets for every WATCH_EVERY_MS and pushes
 * what it had not seen (one small read per account, not per socket). Redis pub/sub could
 * replace that read; the revision would still be the truth a late or restarted bridge checks.
 *
 * Saves lose nothing, also when two bridges save the same account at once (a phone and a laptop
 * behind a load balancer): a change names only what it changes, and is merged into the value
 * read, then written with the store's compare-and-set against that value. When another save came
 * first, the change is merged again into the fresh value and written again after a short random
 * pause (up to MAX_TRIES; beyond, `store_unavailable` and nothing changed). Each write is the
 * next revision, so every tab ends with the same settings. On one bridge the saves of an account
 * still go one after another, so that its own saves do not race each other.
 */
import {
  DEFAULT_OFFLINE_DAYS,
  DEFAULT_SEND_DELAY_SECONDS,
  MAX_REMOTE_ALLOW,
  type TIdentity,
  type TServerFrame,
  type TUserSettings,
  ZSettingsChange,
  ZUserSettings,
} from "@ferry/protocol";
import { z } from "zod";
import { BridgeError } from "../errors";
import type { Logger } from "../log";
import type { StateStore } from "../state/store";

/** How often a bridge checks the store for settings saved on another bridge. */
export const WATCH_EVERY_MS = 2_000;

/**
 * Writes of one save tried before giving up: each retry means another bridge's save of the same
 * account landed in between, which a user's few devices cannot keep doing for long.
 */
const MAX_TRIES = 25;

export const DEFAULT_SETTINGS: TUserSettings = {
  undoSeconds: DEFAULT_SEND_DELAY_SECONDS,
  remoteContent: { senders: [], domains: [] },
  conversations: true,
  offlineDays: DEFAULT_OFFLINE_DAYS,
};

const ZStored = z.object({ rev: z.number().int().positive(), settings: ZUserSettings });

export interface StoredSettings {
  settings: TUserSettings;
  /** Saves so far; 0 when never saved (the defaults). */
  rev: number;
}

export interface SettingsServiceDeps {
  state: StateStore;
  log: Logger;
  /** Sends a pushed event to every open socket of `account` on this bridge. */
  push(account: string, frame: TServerFrame): void;
  /** The accounts with open sockets on this bridge (watched for saves made elsewhere). */
  accounts(): Iterable<string>;
}

function key(account: string): string {
  return `settings:${account}`;
}

function applyList(list: string[], add: string[], remove: string[]): string[] {
  const drop = new Set(remove);
  const out = list.filter((v) => !drop.has(v));
  for (const v of add) if (!out.includes(v) && !drop.has(v)) out.push(v);
  if (out.length > MAX_REMOTE_ALLOW) {
    throw new BridgeError("bad_request", `At most ${MAX_REMOTE_ALLOW} entries in an allow list.`);
  }
  return out;
}

/** `s` with `c` applied: only what the change names is changed. */
function merge(s: TUserSettings, c: z.infer<typeof ZSettingsChange>): TUserSettings {
  return {
    undoSeconds: c.undoSeconds ?? s.undoSeconds,
    remoteContent: {
      senders: c.allowSenders
        ? applyList(s.remoteContent.senders, c.allowSenders.add, c.allowSenders.remove)
        : s.remoteContent.senders,
      domains: c.allowDomains
        ? applyList(s.remoteContent.domains, c.allowDomains.add, c.allowDomains.remove)
        : s.remoteContent.domains,
    },
    conversations: c.conversations ?? s.conversations,
    offlineDays: c.offlineDays ?? s.offlineDays,
  };
}

export class SettingsService {
  readonly #deps: SettingsServiceDeps;
  /** The last revision pushed to this bridge's sockets, per account. */
  readonly #seen = new Map<string, number>();
  /** Saves under way, per account: the next one waits for the last. */
  readonly #queue = new Map<string, Promise<unknown>>();
  readonly #timer: NodeJS.Timeout;
  #watching = false;

  constructor(deps: SettingsServiceDeps) {
    this.#deps = deps;
    this.#timer = setInterval(() => void this.watch(), WATCH_EVERY_MS);
    this.#timer.unref();
  }

  /** The settings of `account` (the defaults when never saved or unreadable). */
  async get(account: string): Promise<StoredSettings> {
    return (await this.#read(account)).stored;
  }

  /** The settings and the exact entry they were read from (what a compare-and-set expects). */
  async #read(account: string): Promise<{ stored: StoredSettings; raw: string | undefined }> {
    const raw = await this.#deps.state.get(key(account));
    if (raw === undefined)
      return { stored: { settings: structuredClone(DEFAULT_SETTINGS), rev: 0 }, raw };
    try {
      const parsed = ZStored.safeParse(JSON.parse(raw));
      if (parsed.success) return { stored: parsed.data, raw };
    } catch {
      // unreadable: the defaults, as below
    }
    this.#deps.log.warn("stored settings unreadable: using the defaults until the next save");
    return { stored: { settings: structuredClone(DEFAULT_SETTINGS), rev: 0 }, raw };
  }

  /** Applies `change` (protocol ZSettingsChange) and announces the result to the account. */
  save(account: string, change: unknown): Promise<StoredSettings> {
    const parsed = ZSettingsChange.safeParse(change);
    if (!parsed.success) {
      throw new BridgeError("bad_request", parsed.error.issues[0]?.message ?? "Bad settings.");
    }
    const c = parsed.data;
    const previous = this.#queue.get(account) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async (): Promise<StoredSettings> => {
        for (let tries = 0; tries < MAX_TRIES; tries++) {
          const { stored: current, raw } = await this.#read(account);
          const stored: StoredSettings = {
            settings: merge(current.settings, c),
            rev: current.rev + 1,
          };
          if (await this.#deps.state.replace(key(account), raw, JSON.stringify(stored))) {
            this.#announce(account, stored);
            return stored;
          }
          // A random pause, growing, so that two bridges retrying in step do not keep colliding.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** tries)));
        }
        throw new BridgeError(
          "store_unavailable",
          "Your settings are being saved elsewhere right now; nothing was changed. Try again in a moment.",
        );
      });
    this.#queue.set(account, run);
    void run.finally(() => {
      if (this.#queue.get(account) === run) this.#queue.delete(account);
    });
    return run;
  }

  /** Tells every open tab of `account` that its identities are now `identities`. */
  identitiesChanged(account: string, identities: TIdentity[]): void {
    this.#deps.push(account, { type: "identities.changed", identities });
  }

  #announce(account: string, stored: StoredSettings): void {
    if ((this.#seen.get(account) ?? 0) >= stored.rev) return;
    this.#seen.set(account, stored.rev);
    this.#deps.push(account, { type: "settings.changed", ...stored });
  }

  /** Pushes settings saved on another bridge to this bridge's sockets (see the header). */
  async watch(): Promise<void> {
    if (this.#watching) return;
    this.#watching = true;
    try {
      const accounts = new Set(this.#deps.accounts());
      for (const account of this.#seen.keys())
        if (!accounts.has(account)) this.#seen.delete(account);
      for (const account of accounts) {
        const stored = await this.get(account);
        if (!this.#seen.has(account)) this.#seen.set(account, stored.rev);
        else this.#announce(account, stored);
      }
    } catch (err) {
      this.#deps.log.warn({ err }, "settings watch failed");
    } finally {
      this.#watching = false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
