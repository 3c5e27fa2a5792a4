/**
 * Every WebSocket frame, put together: the unions of client frames and of server frames, and the
 * parsers both sides apply to what they receive (`safeParse`; nothing is cast). Client frames are
 * requests carrying an `id` that the bridge echoes in its replies; server frames are replies
 * (with that id) or pushed events (no id). The frames themselves are defined by area: the socket's
 * own in session-frames.ts, mailboxes and lists in mailbox-frames.ts, messages in
 * message-frames.ts, and compose, rules, settings, snooze, folders and quota in their modules.
 */
import { z } from "zod";
import { COMPOSE_CLIENT_FRAMES, COMPOSE_SERVER_FRAMES } from "./compose";
import { FOLDER_CLIENT_FRAMES, FOLDER_SERVER_FRAMES } from "./folders";
import {
  ZConversationsChangedEvent,
  ZExpungedEvent,
  ZFlagsEvent,
  ZListWindow,
  ZMailboxes,
  ZMailboxesChanged,
  ZMailboxesList,
  ZMailboxOpen,
  ZMailboxOpened,
  ZMarkAllRead,
  ZNewEvent,
  ZResetEvent,
  ZStatusEvent,
  ZWindow,
} from "./mailbox-frames";
import {
  ZFlagsUpdate,
  ZMessageBody,
  ZMessageEnd,
  ZMessageHeader,
  ZMessageOpen,
  ZMessagesArchive,
  ZMessagesCopy,
  ZMessagesDelete,
  ZMessagesMove,
  ZMessagesMoved,
  ZMessagesRows,
  ZMessagesRowsReply,
} from "./message-frames";
import { QUOTA_CLIENT_FRAMES, QUOTA_SERVER_FRAMES } from "./quota";
import { RULES_CLIENT_FRAMES, RULES_SERVER_FRAMES } from "./rules";
import { ZError, ZHello, ZHelloVersion, ZOk, ZPing, ZPong, ZStateEvent } from "./session-frames";
import { SETTINGS_CLIENT_FRAMES, SETTINGS_SERVER_FRAMES } from "./settings";
import { SNOOZE_CLIENT_FRAMES, SNOOZE_SERVER_FRAMES } from "./snooze";

export * from "./mailbox-frames";
export * from "./message-frames";
export * from "./session-frames";

/**
 * Largest frame the bridge accepts from a browser, in bytes. Drafts travel in frames (a reply can
 * quote a long message); attachments never do: they are uploaded over HTTP.
 */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;

export const ZClientFrame = z.discriminatedUnion("type", [
  ZPing,
  ZMailboxesList,
  ZMailboxOpen,
  ZListWindow,
  ZMessageOpen,
  ZFlagsUpdate,
  ZMessagesMove,
  ZMessagesCopy,
  ZMessagesArchive,
  ZMessagesDelete,
  ZMarkAllRead,
  ZMessagesRows,
  ...COMPOSE_CLIENT_FRAMES,
  ...RULES_CLIENT_FRAMES,
  ...SETTINGS_CLIENT_FRAMES,
  ...SNOOZE_CLIENT_FRAMES,
  ...FOLDER_CLIENT_FRAMES,
  ...QUOTA_CLIENT_FRAMES,
]);
export type TClientFrame = z.infer<typeof ZClientFrame>;
/** What a caller writes before defaults are applied (e.g. `readOnly` may be left out). */
export type TClientFrameInput = z.input<typeof ZClientFrame>;
export type TClientFrameType = TClientFrame["type"];

export const ZServerFrame = z.discriminatedUnion("type", [
  ZHello,
  ZPong,
  ZOk,
  ZError,
  ZMailboxes,
  ZMailboxOpened,
  ZWindow,
  ZMessageHeader,
  ZMessageBody,
  ZMessageEnd,
  ZMessagesRowsReply,
  ZMessagesMoved,
  ZStateEvent,
  ZStatusEvent,
  ZNewEvent,
  ZExpungedEvent,
  ZFlagsEvent,
  ZResetEvent,
  ZMailboxesChanged,
  ZConversationsChangedEvent,
  ...COMPOSE_SERVER_FRAMES,
  ...RULES_SERVER_FRAMES,
  ...SETTINGS_SERVER_FRAMES,
  ...SNOOZE_SERVER_FRAMES,
  ...FOLDER_SERVER_FRAMES,
  ...QUOTA_SERVER_FRAMES,
]);
export type TServerFrame = z.infer<typeof ZServerFrame>;
export type TServerFrameType = TServerFrame["type"];
/** A server frame of one type. */
export type TServerFrameOf<K extends TServerFrameType> = Extract<TServerFrame, { type: K }>;
export type TClientFrameOf<K extends TClientFrameType> = Extract<TClientFrame, { type: K }>;

export type ParseResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: "bad_request"; message: string; id?: string };

function idOf(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "id" in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === "string" && id.length > 0 && id.length <= 64) return id;
  }
  return undefined;
}

function parseWith<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: "bad_request", message: "Frame is not valid JSON" };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, frame: result.data };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  const id = idOf(value);
  return {
    ok: false,
    code: "bad_request",
    message: `Invalid frame${where}: ${issue?.message ?? "does not match the protocol"}`,
    ...(id === undefined ? {} : { id }),
  };
}

/** Parse and validate a frame a browser sent. */
export function parseClientFrame(text: string): ParseResult<TClientFrame> {
  return parseWith(ZClientFrame, text);
}

/**
 * The protocol version a hello announces, also when the rest of it does not match this build's
 * schema (a bridge of another version); null when `text` is not a hello.
 */
export function helloVersionOf(text: string): number | null {
  try {
    const parsed = ZHelloVersion.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.version : null;
  } catch {
    return null;
  }
}

/** Parse and validate a frame the bridge sent. */
export function parseServerFrame(text: string): ParseResult<TServerFrame> {
  return parseWith(ZServerFrame, text);
}
