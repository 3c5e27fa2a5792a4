/**
 * Unsubscribing from a mailing list by a message's List-Unsubscribe (RFC 2369) header, read by
 * the bridge from the message itself, never taken from the browser:
 *
 * - One-click (RFC 8058): when List-Unsubscribe-Post is `List-Unsubscribe=One-Click` and the
 *   header has an https URI, the bridge POSTs `List-Unsubscribe=One-Click` to it under the image
 *   proxy's host policy: the host is resolved and refused when not public (unless
 *   FERRY_PROXY_ALLOW_PRIVATE_HOSTS), the request goes to that checked address (DNS pinned),
 *   TLS verified, usual ports only, no cookies or credentials, redirects not followed, a deadline.
 *   Any 2xx is success.
 * - Else a mailto: URI is answered for the browser to send through the normal send path.
 * - Else an https URI is answered for the browser to open once the user confirms it.
 */
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { TMessageRef, TUnsubscribed } from "@ferry/protocol";
import type { ImapFlow } from "imapflow";
import { BridgeError } from "../errors";
import { assertUidValidity, withMailbox } from "../imap/mailbox-access";
import { type Resolver, resolvePublicHost } from "../net/address";
import { DEFAULT_ALLOWED_PORTS, MAX_URL_LENGTH } from "./proxy";

export interface UnsubscribeOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  resolver?: Resolver;
  /** Extra CA to trust (tests against a local https server); verification stays on. */
  ca?: string;
}

type UnsubscribeBody = Omit<TUnsubscribed, "type" | "id">;

/** The URIs of a List-Unsubscribe value, in order (RFC 2369 §2: `<uri>` separated by commas). */
export function unsubscribeUris(value: string): string[] {
  return [...value.matchAll(/<([^<>\s]{1,4096})>/g)].map((m) => m[1] as string);
}

/** The List-Unsubscribe and List-Unsubscribe-Post values of a message. */
export async function readUnsubscribeHeaders(
  client: ImapFlow,
  ref: TMessageRef,
): Promise<{ list: string; post: string }> {
  return withMailbox(client, ref.mailbox, { readOnly: true }, async (box) => {
    assertUidValidity(box, ref.uidValidity);
    const msg = await client.fetchOne(
      String(ref.uid),
      { headers: ["list-unsubscribe", "list-unsubscribe-post"] },
      { uid: true },
    );
    if (msg === false || !msg?.headers)
      throw new BridgeError("message_not_found", "The message no longer exists.");
    const text = msg.headers.toString("utf8").replace(/\r?\n[ \t]+/g, " ");
    const field = (name: string) =>
      text
        .split(/\r?\n/)
        .find((l: string) => l.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim() ?? "";
    return { list: field("list-unsubscribe"), post: field("list-unsubscribe-post") };
  });
}

function parseMailto(uri: string): UnsubscribeBody["mailto"] | null {
  try {
    const url = new URL(uri);
    const to = decodeURIComponent(url.pathname);
    if (!/^[^\s@,<>]+@[^\s@,<>]+$/.test(to)) return null;
    return {
      to,
      subject: (url.searchParams.get("subject") ?? "unsubscribe")
        .slice(0, 500)
        .replace(/[\r\n]/g, " "),
      body: (url.searchParams.get("body") ?? "").slice(0, 5000),
    };
  } catch {
    return null;
  }
}

/** The one-click POST to `url`, connected to the checked address. Resolves to the status. */
async function postOneClick(url: URL, opts: UnsubscribeOptions): Promise<number> {
  const port = url.port === "" ? 443 : Number(url.port);
  if (!DEFAULT_ALLOWED_PORTS.includes(port) || url.username !== "" || url.password !== "") {
    throw new BridgeError("proxy_refused", "This unsubscribe address is not allowed.");
  }
  const resolution = await resolvePublicHost(url.hostname, {
    allowPrivate: opts.allowPrivate,
    ...(opts.resolver === undefined ? {} : { resolver: opts.resolver }),
  });
  if (!resolution.ok) {
    throw new BridgeError(
      "proxy_refused",
      resolution.reason === "not_found"
        ? "The list's server could not be found."
        : "Unsubscribe addresses on private or local networks are not used.",
    );
  }
  const address = resolution.address;
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
  const body = "List-Unsubscribe=One-Click";
  return new Promise<number>((resolve, reject) => {
    const request = https.request({
      method: "POST",
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      port,
      path: `${url.pathname}${url.search}`,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "Ferry",
      },
      agent: false,
      lookup: pinned,
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    });
    request.once("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * Unsubscribes by a message's headers (readUnsubscribeHeaders): see the module header for the
 * three ways.
 */
export async function unsubscribe(
  headers: { list: string; post: string },
  opts: UnsubscribeOptions,
): Promise<UnsubscribeBody> {
  const { list, post } = headers;
  const uris = unsubscribeUris(list);
  const httpsUri = uris.find((u) => /^https:\/\//i.test(u) && u.length <= MAX_URL_LENGTH);
  if (httpsUri && /^List-Unsubscribe=One-Click$/i.test(post.trim())) {
    const url = new URL(httpsUri);
    let status: number;
    try {
      status = await postOneClick(url, opts);
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      throw new BridgeError("proxy_refused", "The list's server could not be reached.", {
        cause: err,
      });
    }
    if (status < 200 || status > 299) {
      throw new BridgeError("proxy_refused", "The list's server did not accept the unsubscribe.");
    }
    return { method: "post", host: url.hostname };
  }
  for (const uri of uris) {
    if (!/^mailto:/i.test(uri)) continue;
    const mailto = parseMailto(uri);
    if (mailto) return { method: "mailto", mailto };
  }
  if (httpsUri) return { method: "link", url: httpsUri };
  return { method: "none" };
}
