/**
 * Which network addresses the bridge may connect to on a user's behalf, and DNS resolution
 * that applies that rule. Used by the image proxy and by sign-in when the user names the IMAP
 * or SMTP host: both refuse private, loopback, link-local and other non-public targets unless
 * an administrator allows them, so a user cannot make the bridge reach its own network.
 */
import { lookup } from "node:dns/promises";
import { isIP, isIPv4, isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";

/** One resolved address, as `dns.lookup` gives it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Injectable for tests. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** Global unicast IPv6 (2000::/3): everything outside it is not routable on the internet. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

/**
 * The ipaddr.js range of `address` ("unicast", "private", "loopback", "linkLocal",
 * "carrierGradeNat", "uniqueLocal", …), judging an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * by its IPv4 address. IPv6 outside 2000::/3 that ipaddr.js calls unicast (such as the
 * deprecated IPv4-compatible ::a.b.c.d) is reported as "reserved". Returns undefined when
 * `address` is not an IP address (host names are not resolved here).
 */
export function addressRange(address: string): string | undefined {
  const parsed = parseAddress(address);
  if (parsed === undefined) return undefined;
  const range = parsed.range();
  if (parsed.kind() === "ipv6" && range === "unicast" && !parsed.match(GLOBAL_UNICAST_V6)) {
    return "reserved";
  }
  return range;
}

/**
 * Parses an IP address the way Node would connect to it. Node's own `isIP` decides what is an
 * address (so "127.1" and "0x7f.1", which ipaddr.js would read as IPv4, are not). IPv6 goes
 * through the WHATWG URL serializer first: ipaddr.js reads the deprecated "::a.b.c.d" as the
 * IPv4-mapped ::ffff:a.b.c.d, which is a different address. IPv4-mapped IPv6 comes back as IPv4.
 */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const literal = stripBrackets(address);
  if (isIPv4(literal)) return ipaddr.IPv4.parse(literal);
  if (!isIPv6(literal)) return undefined;
  const [withoutZone = ""] = literal.split("%");
  let canonical: string;
  try {
    canonical = new URL(`http://[${withoutZone}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const v6 = ipaddr.IPv6.parse(canonical);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * True when `address` is an IP address in public unicast space: not private (10/8, 172.16/12,
 * 192.168/16), loopback, link-local (169.254/16, fe80::/10, cloud metadata included), CGNAT
 * (100.64/10), unique-local (fc00::/7), multicast, broadcast, unspecified, documentation,
 * benchmarking or otherwise reserved, and not an IPv6 form that embeds or tunnels to IPv4
 * (IPv4-mapped of any of those, NAT64, 6to4, Teredo). False for anything that is not an IP.
 */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === "unicast";
}

/**
 * The client network an address belongs to, for counting what one client does: an IPv4 address
 * (or IPv4-mapped IPv6) stands for itself, an IPv6 address for its /64, which one subscriber
 * usually holds whole and can draw fresh addresses from at will. Anything that does not parse
 * is returned as given.
 */
export function clientNetwork(address: string): string {
  const parsed = parseAddress(address);
  if (parsed === undefined) return address;
  if (parsed.kind() === "ipv4") return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toNormalizedString()}/64`;
}

/** The result of {@link resolvePublicHost}. */
export type HostResolution =
  | { ok: true; address: ResolvedAddress }
  /** The name did not resolve (or resolved to nothing). */
  | { ok: false; reason: "not_found" }
  /** At least one address is not public (and private targets are not allowed). */
  | { ok: false; reason: "not_public"; address: string; range: string };

/** `dns.lookup` for every address of `host`, in the resolver's order. */
export const systemResolver: Resolver = async (host) => {
  const results = await lookup(host, { all: true, verbatim: true });
  return results.flatMap(({ address, family }) =>
    family === 4 || family === 6 ? [{ address, family }] : [],
  );
};

/**
 * Resolves `host` (a name, an IPv4 address, or an IPv6 address with or without brackets) and
 * checks every address it has. Unless `allowPrivate`, one non-public address refuses the whole
 * host, so a name that mixes public and private answers cannot be used to reach inside.
 *
 * The caller must then connect to the returned address itself (pin it), not resolve the name
 * again: a second lookup could answer differently (DNS rebinding).
 */
export async function resolvePublicHost(
  host: string,
  opts: { allowPrivate: boolean; resolver?: Resolver },
): Promise<HostResolution> {
  const bare = stripBrackets(host);
  const family = isIP(bare);
  let addresses: ResolvedAddress[];
  if (family === 4 || family === 6) {
    addresses = [{ address: bare, family }];
  } else {
    try {
      addresses = await (opts.resolver ?? systemResolver)(bare);
    } catch {
      return { ok: false, reason: "not_found" };
    }
  }
  const [first] = addresses;
  if (first === undefined) return { ok: false, reason: "not_found" };
  if (!opts.allowPrivate) {
    for (const { address } of addresses) {
      const range = addressRange(address) ?? "invalid";
      if (range !== "unicast") return { ok: false, reason: "not_public", address, range };
    }
  }
  return { ok: true, address: first };
}
