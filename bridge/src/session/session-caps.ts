/**
 * The session caps of this process: how many sessions one account (FERRY_SESSIONS_PER_ACCOUNT)
 * and one client network (FERRY_SESSIONS_PER_CLIENT) may have signed in at once. Sessions signed
 * in here and sign-ins under way (each by a slot symbol) both count, so a burst cannot pass a cap.
 */
import type { Config } from "../config";
import { BridgeError } from "../errors";
import { isSessionIdShape, sessionKey } from "./crypto";

/** Which account and client network a session (or a sign-in under way) belongs to. */
export interface Holder {
  account: string;
  network: string;
}

export class SessionCaps {
  readonly #config: Config;
  /** Sessions signed in here, and sign-ins under way (by a symbol). */
  readonly #holders = new Map<string | symbol, Holder>();

  constructor(config: Config) {
    this.#config = config;
  }

  /**
   * Holds a place for one more session of `holder` (released with `release(slot)`), or
   * throws too_many_sessions when its account or its client network is at its cap. Sign-ins
   * under way count, so a burst cannot pass the cap; the session `previousId` names (which this
   * sign-in replaces) does not.
   */
  reserve(holder: Holder, previousId: string | undefined): symbol {
    const replaced =
      previousId !== undefined && isSessionIdShape(previousId) ? sessionKey(previousId) : null;
    let account = 0;
    let network = 0;
    for (const [key, h] of this.#holders) {
      if (key === replaced) continue;
      if (h.account === holder.account) account += 1;
      if (h.network === holder.network) network += 1;
    }
    if (account >= this.#config.sessionsPerAccount) {
      throw new BridgeError(
        "too_many_sessions",
        "This account has too many sessions signed in. Sign out of one first.",
      );
    }
    if (network >= this.#config.sessionsPerClient) {
      throw new BridgeError(
        "too_many_sessions",
        "Too many sessions are signed in from this network. Sign out of one first.",
      );
    }
    const slot = Symbol("sign-in");
    this.#holders.set(slot, holder);
    return slot;
  }

  /** The session `key`, signed in under `slot`, holds that place from now on. */
  adopt(slot: symbol, key: string): void {
    const holder = this.#holders.get(slot);
    if (holder) this.#holders.set(key, holder);
  }

  /** Gives up the place of a slot or of a session (it ended). */
  release(keyOrSlot: string | symbol): void {
    this.#holders.delete(keyOrSlot);
  }
}
