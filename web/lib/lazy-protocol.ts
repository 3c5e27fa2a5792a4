/**
 * The protocol's schemas (and zod with them) as a chunk of their own, outside the page's first
 * load. The sign-in page and the start-up session check validate the bridge's HTTP answers with
 * them, but nothing paints from them, so they are fetched alongside the page's first request
 * instead of being parsed before it can render. The mailbox imports the protocol directly.
 */
import { type Chunk, chunk } from "./chunk";

export type Protocol = typeof import("@ferry/protocol");

export const protocolChunk: Chunk<Protocol> = chunk(() => import("@ferry/protocol"));
