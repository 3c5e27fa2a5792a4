/**
 * Opening a message over the socket: the header into the query cache at once, then each body
 * part as its chunks arrive; the copy kept for offline reading while the bridge cannot be
 * reached; and read-ahead, which the bridge answers after the user's own requests (with a
 * prefetched message, what else its reader shows: setReadAheadWith). Re-exported by
 * lib/mail-client.
 */
import type { TMessageBody, TMessageHeader, TMessageRef } from "@ferry/protocol";
import { FerryError } from "./errors";
import { keys, queryClient, socket } from "./mail-client";

export interface MessageData {
  header: Omit<TMessageHeader, "id" | "type">;
  bodies: Array<{ part: string; type: TMessageBody["contentType"]; text: string; done: boolean }>;
  complete: boolean;
}

/** Where a body kept for offline reading is found (lib/offline-bodies-task sets it). */
let keptMessage: ((ref: TMessageRef) => Promise<MessageData | null>) | null = null;

export function setKeptMessageSource(source: (ref: TMessageRef) => Promise<MessageData | null>) {
  keptMessage = source;
}

/**
 * Open a message: the cache gets the header at once, then the body as its chunks arrive. While
 * the bridge cannot be reached (offline, or the request fails for want of a connection), the
 * body kept for offline reading, if there is one. `background`: read ahead, not for the user
 * waiting now (the bridge answers the user's own requests first).
 */
export async function fetchMessage(
  ref: TMessageRef,
  opts: { background?: boolean } = {},
): Promise<MessageData> {
  if (keptMessage && socket.getStatus() !== "online") {
    const kept = await keptMessage(ref);
    if (kept) return kept;
  }
  try {
    return await fetchMessageFromBridge(ref, undefined, opts.background === true);
  } catch (err) {
    const unreachable =
      err instanceof FerryError && (err.code === "connection_lost" || err.code === "timeout");
    const kept = unreachable ? await keptMessage?.(ref) : null;
    if (kept) return kept;
    throw err;
  }
}

/**
 * A message from the bridge, whole, without touching the query cache (the offline copies'
 * background fetch: what nobody opened stays out of memory and of the persisted cache).
 */
export function downloadMessage(ref: TMessageRef): Promise<MessageData> {
  return fetchMessageFromBridge(ref, () => undefined, true);
}

/** Every part of the message is in (it may still be streaming its end). */
function whole(data: MessageData): boolean {
  return data.complete || (data.bodies.length > 0 && data.bodies.every((b) => b.done));
}

/**
 * Puts a message's copy as it streams into the cache, unless the cache holds it whole already
 * (the same message asked for twice, a read-ahead and then the user's own: the later answer's
 * first frames would take its text off the screen).
 */
function updateCache(ref: TMessageRef, data: MessageData): void {
  queryClient.setQueryData<MessageData>(keys.message(ref), (prev) =>
    prev && whole(prev) && !whole(data) ? prev : data,
  );
}

async function fetchMessageFromBridge(
  ref: TMessageRef,
  update: (data: MessageData) => void = (data) => updateCache(ref, data),
  background = false,
): Promise<MessageData> {
  let data: MessageData | undefined;
  const opts = background ? { background } : {};
  await socket.openMessage(
    ref,
    {
      onHeader(frame) {
        const { id: _id, type: _type, ...header } = frame;
        data = {
          header,
          bodies: frame.bodyParts.map((p) => ({
            part: p.part,
            type: p.type,
            text: "",
            done: false,
          })),
          complete: false,
        };
        update(data);
      },
      onBody(frame) {
        if (!data) return;
        const bodies = data.bodies.slice();
        const i = bodies.findIndex((b) => b.part === frame.part);
        const prev = bodies[i];
        if (prev) bodies[i] = { ...prev, text: prev.text + frame.chunk, done: frame.done };
        else
          bodies.push({
            part: frame.part,
            type: frame.contentType,
            text: frame.chunk,
            done: frame.done,
          });
        data = { ...data, bodies };
        update(data);
      },
    },
    opts,
  );
  if (!data) throw new FerryError("malformed_message", "No header");
  data = { ...data, complete: true, bodies: data.bodies.map((b) => ({ ...b, done: true })) };
  return data;
}

/** What else opening a message shows, read ahead with it (lib/member-rows sets it). */
let readAheadWith: ((ref: TMessageRef) => void) | null = null;

export function setReadAheadWith(readAhead: (ref: TMessageRef) => void) {
  readAheadWith = readAhead;
}

/**
 * Fetches `ref` ahead of its open (a hovered row, the open message's neighbours), and with it
 * what its reader will show besides (a conversation's stack: setReadAheadWith).
 */
export function prefetchMessage(ref: TMessageRef): void {
  void queryClient.prefetchQuery({
    queryKey: keys.message(ref),
    queryFn: () => fetchMessage(ref),
  });
  readAheadWith?.(ref);
}
