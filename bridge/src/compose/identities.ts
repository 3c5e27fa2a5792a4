/**
 * Identities: the other From addresses (with a name and a signature) a user sends as. Kept per
 * account (session/account.ts: the IMAP server and the user name signed in with, never the
 * address alone), shared by all of that account's sessions in this bridge process, in memory:
 * a bridge restart forgets them, and bridges behind a load balancer do not share them. A durable
 * store (the session store's Redis, or IMAP METADATA) is future work.
 *
 * The bridge does not police which addresses a user claims: the SMTP server decides what a
 * login may send as (e.g. Postfix's smtpd_sender_login_maps). The bridge only refuses a From
 * that is neither the sign-in address nor one of these.
 */
import { MAX_IDENTITIES, type TIdentity } from "@ferry/protocol";
import { BridgeError } from "../errors";
import { assertHeaderSafe } from "./headers";

export class IdentityStore {
  /** Identities by account key (session/account.ts). */
  readonly #byAccount = new Map<string, TIdentity[]>();

  list(account: string): TIdentity[] {
    return this.#byAccount.get(account) ?? [];
  }

  /** Replaces the account's identities; ids must be unique. */
  save(account: string, identities: TIdentity[]): TIdentity[] {
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
    if (copy.length === 0) this.#byAccount.delete(account);
    else this.#byAccount.set(account, copy);
    return copy;
  }

  /** The sign-in address `email` and every identity address of the account, lower-cased. */
  ownAddresses(account: string, email: string): Set<string> {
    return new Set([
      email.toLowerCase(),
      ...this.list(account).map((i) => i.address.toLowerCase()),
    ]);
  }

  /** The account's identity with `address`, if any. */
  byAddress(account: string, address: string): TIdentity | undefined {
    const lower = address.toLowerCase();
    return this.list(account).find((i) => i.address.toLowerCase() === lower);
  }
}
