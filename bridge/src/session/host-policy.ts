/**
 * Which mail servers a user may name: the host is resolved and refused when any address is not
 * public (net/address.ts decides), unless the administrator allows private hosts. The checked
 * address is what the bridge then connects to, so DNS cannot swap it afterwards.
 */
import { BridgeError } from "../errors";
import { type Resolver, resolvePublicHost } from "../net/address";

/**
 * Resolves `host` and returns the address to connect to. Throws BridgeError server_not_allowed
 * for a refused address, host_unreachable when the name does not resolve.
 */
export async function resolveAllowedHost(
  host: string,
  allowPrivate: boolean,
  resolver?: Resolver,
): Promise<string> {
  const result = await resolvePublicHost(host, {
    allowPrivate,
    ...(resolver === undefined ? {} : { resolver }),
  });
  if (result.ok) return result.address.address;
  if (result.reason === "not_found") {
    throw new BridgeError("host_unreachable", "The mail server's name could not be resolved.");
  }
  throw new BridgeError(
    "server_not_allowed",
    "This mail server is on a private or local network, which this bridge does not allow.",
  );
}
