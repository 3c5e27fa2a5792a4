/**
 * Identities: the other From addresses (with a name and a signature) a user sends as. Kept per
 * user (the lower-cased sign-in address), shared by all of that user's sessions in this bridge
 * process, in memory: a bridge restart forgets them, and bridges behind a load balancer do not
 * share them. A durable store (the session store's Redis, or IMAP METADATA) is future work.
 *
 * The bridge does not police which addresses a user claims: the SMTP server decides what a
 * login may send as (e.g. Postfix's smtpd_sender_login_maps). The bridge only refuses a From
 * that is neither the sign-in address nor one of these.
 */
import { MAX_IDENTITIES, type TIdentity } from "@ferry/protocol";
import { BridgeError } from "../errors";
import { assertHeaderSafe } from "./headers";

export class IdentityStore {
  readonly #byUser = new Map<string, TIdentity[]>();

  list(email: string): TIdentity[] {
    return this.#byUser.get(email.toLowerCase()) ?? [];
  }

  /** Replaces the user's identities; ids must be unique. */
  save(email: string, identities: TIdentity[]): TIdentity[] {
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
    if (copy.length === 0) this.#byUser.delete(email.toLowerCase());
    else this.#byUser.set(email.toLowerCase(), copy);
    return copy;
  }

  /** The sign-in address and every identity address, lower-cased. */
  ownAddresses(email: string): Set<string> {
    return new Set([email.toLowerCase(), ...this.list(email).map((i) => i.address.toLowerCase())]);
  }

  /** The identity with `address`, if any. */
  byAddress(email: string, address: string): TIdentity | undefined {
    const lower = address.toLowerCase();
    return this.list(email).find((i) => i.address.toLowerCase() === lower);
  }
}
