/**
 * Identities: the other From addresses (with a name and a signature) a user sends as. Kept per
 * account (session/account.ts: the IMAP server and the user name signed in with, never the
 * address alone) in the state store (state/store.ts, under `identities:<account key>`), so they
 * outlive a restart and every bridge sharing the store sees the same ones. An entry that does
 * not read back as identities (damaged, or from another version) counts as none.
 *
 * The bridge does not police which addresses a user claims: the SMTP server decides what a
 * login may send as (e.g. Postfix's smtpd_sender_login_maps). The bridge only refuses a From
 * that is neither the sign-in address nor one of these.
 */
import { MAX_IDENTITIES, type TIdentity, ZIdentity } from "@ferry/protocol";
import { z } from "zod";
import { BridgeError } from "../errors";
import type { StateStore } from "../state/store";
import { assertHeaderSafe } from "./headers";

const ZStored = z.array(ZIdentity).max(MAX_IDENTITIES);

export class IdentityStore {
  readonly #state: StateStore;

  constructor(state: StateStore) {
    this.#state = state;
  }

  #key(account: string): string {
    return `identities:${account}`;
  }

  /** The identities of `account` (an account key, session/account.ts). */
  async list(account: string): Promise<TIdentity[]> {
    const raw = await this.#state.get(this.#key(account));
    if (raw === undefined) return [];
    try {
      const parsed = ZStored.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  /** Replaces the account's identities; ids must be unique. */
  async save(account: string, identities: TIdentity[]): Promise<TIdentity[]> {
    if (identities.length > MAX_IDENTITIES) {
      throw new BridgeError("bad_request", `At most ${MAX_IDENTITIES} identities.`);
    }
    const ids = new Set<string>();
    for (const identity of identities) {
      assertHeaderSafe(identity.name, "An identity's name");
      assertHeaderSafe(identity.address, "An identity's address");
      if (ids.has(identity.id))
        throw new BridgeError("bad_request", "Identity ids must be unique.");
      ids.add(identity.id);
    }
    const copy = identities.map((i) => ({ ...i }));
    if (copy.length === 0) await this.#state.delete(this.#key(account));
    else await this.#state.set(this.#key(account), JSON.stringify(copy));
    return copy;
  }

  /** The sign-in address `email` and every identity address of the account, lower-cased. */
  async ownAddresses(account: string, email: string): Promise<Set<string>> {
    const identities = await this.list(account);
    return new Set([email.toLowerCase(), ...identities.map((i) => i.address.toLowerCase())]);
  }

  /** The account's identity with `address`, if any. */
  async byAddress(account: string, address: string): Promise<TIdentity | undefined> {
    const lower = address.toLowerCase();
    return (await this.list(account)).find((i) => i.address.toLowerCase() === lower);
  }
}
