/**
 * The request → reply contract of the socket: which server frames answer each client frame,
 * which server frames are pushed events, and which client frames the compose service answers.
 * The web socket client, the bridge's dispatch and the benchmark's client are typed from these,
 * so a frame added to `ZClientFrame` or `ZServerFrame` without a place here, or a request without
 * a handler, is a compile error where it must be handled.
 *
 * Every request may also be answered with an `error` frame carrying its id instead.
 */
import type { z } from "zod";
import { COMPOSE_CLIENT_FRAMES } from "./compose";
import type {
  TClientFrame,
  TClientFrameInput,
  TClientFrameType,
  TServerFrame,
  TServerFrameOf,
  TServerFrameType,
} from "./frames";

interface ReplySpec {
  /** The frame that answers the request and ends it. */
  readonly reply: TServerFrameType;
  /** Frames that may come first, in this order, before `reply` (a streamed answer). */
  readonly before?: readonly TServerFrameType[];
}

/** For each request type, the frames that answer it (besides `error`). */
export const REPLIES = {
  ping: { reply: "pong" },
  "mailboxes.list": { reply: "mailboxes" },
  "mailbox.open": { reply: "mailbox.opened" },
  "list.window": { reply: "list.window" },
  "message.open": { reply: "message.end", before: ["message.header", "message.body"] },
  "flags.update": { reply: "ok" },
  "messages.move": { reply: "messages.moved" },
  "messages.copy": { reply: "messages.moved" },
  "messages.archive": { reply: "messages.moved" },
  "messages.delete": { reply: "messages.moved" },
  "mailbox.markAllRead": { reply: "ok" },
  "messages.rows": { reply: "messages.rows" },
  "compose.send": { reply: "compose.queued" },
  "compose.cancel": { reply: "compose.cancelled" },
  "draft.save": { reply: "draft.saved" },
  "draft.discard": { reply: "ok" },
  "compose.context": { reply: "compose.context" },
  "contacts.suggest": { reply: "contacts" },
  "identities.list": { reply: "identities" },
  "identities.save": { reply: "identities" },
  "scheduled.list": { reply: "scheduled" },
  "scheduled.sendNow": { reply: "ok" },
  "rules.get": { reply: "rules" },
  "rules.save": { reply: "rules" },
  "rules.activate": { reply: "rules" },
  "rules.apply": { reply: "rules.applied" },
  "settings.get": { reply: "settings" },
  "settings.save": { reply: "settings" },
  "snooze.set": { reply: "snoozes" },
  "snooze.list": { reply: "snoozes" },
  "snooze.wake": { reply: "snoozes" },
  "messages.spam": { reply: "messages.moved" },
  unsubscribe: { reply: "unsubscribed" },
  "folder.create": { reply: "folder.done" },
  "folder.rename": { reply: "folder.done" },
  "folder.delete": { reply: "folder.done" },
  "folder.subscribe": { reply: "folder.done" },
  "folder.empty": { reply: "folder.done" },
  "quota.get": { reply: "quota" },
} as const satisfies { readonly [K in TClientFrameType]: ReplySpec };

type Replies = typeof REPLIES;
type StreamedOf<K extends TClientFrameType> = Replies[K] extends {
  before: readonly (infer B extends TServerFrameType)[];
}
  ? B
  : never;

/** The type of the frame that ends request `K`. */
export type TReplyType<K extends TClientFrameType> = Replies[K]["reply"];
/** Any frame that answers request `K` (the streamed ones too), error aside. */
export type TReplyFrameOf<K extends TClientFrameType> = TServerFrameOf<
  TReplyType<K> | StreamedOf<K>
>;
/** Requests answered by exactly one frame (all but the streamed `message.open`). */
export type TSingleReplyRequestType = {
  [K in TClientFrameType]: StreamedOf<K> extends never ? K : never;
}[TClientFrameType];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A request as a caller writes it (defaults may be left out), without its id. */
export type TRequestOf<K extends TClientFrameType> = DistributiveOmit<
  Extract<TClientFrameInput, { type: K }>,
  "id"
>;

/** Pushed events: frames without an id that answer no request. */
export const PUSHED_EVENT_TYPES = [
  "state",
  "mailbox.status",
  "messages.new",
  "messages.expunged",
  "messages.flags",
  "mailbox.reset",
  "mailboxes.changed",
  "quota.changed",
  "compose.sent",
  "compose.failed",
  "settings.changed",
  "identities.changed",
  "snoozes.changed",
  "conversations.changed",
] as const satisfies readonly TServerFrameType[];
export type TPushedEventType = (typeof PUSHED_EVENT_TYPES)[number];
export type TPushedEvent = TServerFrameOf<TPushedEventType>;

const pushedTypes: ReadonlySet<TServerFrameType> = new Set(PUSHED_EVENT_TYPES);

export function isPushedEvent(frame: TServerFrame): frame is TPushedEvent {
  return pushedTypes.has(frame.type);
}

/** A server frame answering some request: everything but the hello, errors and pushed events. */
export type TReplyFrame = Exclude<TServerFrame, TPushedEvent | { type: "hello" | "error" }>;

/** True when `frame` is one of the frames that answer request type `K` (error aside). */
export function isReplyTo<K extends TClientFrameType>(
  type: K,
  frame: TServerFrame,
): frame is TReplyFrameOf<K> {
  const spec: ReplySpec = REPLIES[type];
  return frame.type === spec.reply || (spec.before?.includes(frame.type) ?? false);
}

/** The compose frames of `ZClientFrame`: the bridge's compose service answers these. */
export type TComposeClientFrame = z.infer<(typeof COMPOSE_CLIENT_FRAMES)[number]>;

const composeTypes: ReadonlySet<TClientFrameType> = new Set(
  COMPOSE_CLIENT_FRAMES.map((schema) => schema.shape.type.value),
);

export function isComposeClientFrame(frame: TClientFrame): frame is TComposeClientFrame {
  return composeTypes.has(frame.type);
}

// Compile-time checks: a server frame type in none of the lists (not the hello, not an error,
// not a reply in REPLIES, not a pushed event) fails here, naming it; so does a reply without an id.
type Classified = "hello" | "error" | TPushedEventType | TReplyType<TClientFrameType>;
type Streamed = { [K in TClientFrameType]: StreamedOf<K> }[TClientFrameType];
type MustBeNever<T extends never> = T;
export type TUnclassifiedServerFrame = MustBeNever<
  Exclude<TServerFrameType, Classified | Streamed>
>;
type MustHaveId<T extends { id: string }> = T;
export type TRepliesCarryId = MustHaveId<TReplyFrame>;
