/**
 * The session caps of the whole deployment: how many sessions one account
 * (FERRY_SESSIONS_PER_ACCOUNT) and one client network (FERRY_SESSIONS_PER_CLIENT) may have signed
 * in at once, counted in the state store's places (store.ts), so that every bridge sharing the
 * store counts the same sessions and a second bridge does not double a cap. A sign-in takes its
 * place in both groups in one atomic step before the IMAP login (so a burst across bridges
 * cannot pass a cap), for RESERVE_MS; once signed in, the place lives exactly as long as the
 * session's record (the same idle TTL, refreshed with it), so the sessions of a bridge that died
 * count while their users can still resume them elsewhere, and leave when they expire.
 *
 * Groups are named under a fingerprint of FERRY_SESSION_SECRET: sessions sealed under another
 * secret (before a restart without one set) can never be used again, so they do not count.
 */
import { createHmac } from "node:crypto";
import type { Config } from "../config";
import { BridgeError } from "../errors";
import type { PlaceGroup, StateStore } from "../state/store";
import { accountKey } from "./account";
import type { SessionRecord } from "./store";

/** How long a sign-in under way holds its place: longer than any sign-in takes. */
const RESERVE_MS = 5 * 60_000;

/** Which account and client network a session belongs to (no network: a record from before). */
export interface Holder {
  account: string;
  network?: string;
}

/** Whose session `record` is, for the caps. */
export function holderOf(record: SessionRecord): Holder {
  return {
    account: accountKey(record.imap, record.email),
    ...(record.network !== undefined ? { network: record.network } : {}),
  };
}

export class SessionCaps {
  readonly #config: Config;
  readonly #state: StateStore;
  readonly #ns: string;

  constructor(config: Config, state: StateStore) {
    this.#config = config;
    this.#state = state;
    this.#ns = createHmac("sha256", config.sessionSecret)
      .update("ferry session caps")
      .digest("hex")
      .slice(0, 16);
  }

  #groups(holder: Holder, capped: boolean): PlaceGroup[] {
    const groups: PlaceGroup[] = [
      {
        key: `sessions:${this.#ns}:account:${holder.account}`,
        ...(capped ? { cap: this.#config.sessionsPerAccount } : {}),
      },
    ];
    if (holder.network !== undefined) {
      groups.push({
        key: `sessions:${this.#ns}:network:${holder.network}`,
        ...(capped ? { cap: this.#config.sessionsPerClient } : {}),
      });
    }
    return groups;
  }

  /**
   * Holds a place for the session `key` of `holder` while it signs in, or throws
   * too_many_sessions when its account or its client network is at its cap on any bridge. The
   * session `replaced` (which this sign-in signs out) is not counted.
   */
  async reserve(holder: Holder, key: string, replaced: string | undefined): Promise<void> {
    const full = await this.#state.enter(key, this.#groups(holder, true), RESERVE_MS, {
      ...(replaced !== undefined ? { replacing: replaced } : {}),
    });
    if (full === 0) {
      throw new BridgeError(
        "too_many_sessions",
        "This account has too many sessions signed in. Sign out of one first.",
      );
    }
    if (full === 1) {
      throw new BridgeError(
        "too_many_sessions",
        "Too many sessions are signed in from this network. Sign out of one first.",
      );
    }
  }

  /** The signed-in session `key` keeps its place for `ttlMs` (its record's TTL), never refused. */
  async hold(holder: Holder, key: string, ttlMs: number): Promise<void> {
    await this.#state.enter(key, this.#groups(holder, false), ttlMs);
  }

  /** Gives up the place of the session `key` (it ended, or its sign-in failed). */
  async release(holder: Holder, key: string): Promise<void> {
    await this.#state.leave(
      key,
      this.#groups(holder, false).map((g) => g.key),
    );
  }
}
