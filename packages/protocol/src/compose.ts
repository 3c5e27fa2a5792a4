/**
 * Writing mail: the composer's draft, the frames that send it (with an undo window), save and
 * discard drafts, prefill replies and forwards, suggest addresses and keep identities; and the
 * HTTP upload body. Attachments travel over HTTP (`POST /api/uploads`), never in a frame: a
 * draft names them by `uploadId`, or by reference to a message the user already has.
 *
 * Header safety is checked here, so the browser can tell the user before anything is sent and
 * the bridge refuses the frame with `bad_request`: no CR, LF or NUL in any header field, and
 * every address is a plain addr-spec (`isMailAddress`).
 */
import { z } from "zod";
import { ErrorCode } from "./errors";
import { ZAddress, ZMessageRef } from "./model";

const ZId = z.string().min(1).max(64);

/** Longest undo window a user may choose, in seconds. */
export const MAX_SEND_DELAY_SECONDS = 30;
/** The undo window when the composer does not say. */
export const DEFAULT_SEND_DELAY_SECONDS = 10;
/** Recipients of one message (To + Cc + Bcc together). */
export const MAX_RECIPIENTS = 500;
/** Attachments of one message. */
export const MAX_ATTACHMENTS = 100;
/** Identities a user may keep. */
export const MAX_IDENTITIES = 20;

/** True when `value` holds CR, LF or NUL: never allowed in a header field. */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uFFFF-]+";
const DOT_ATOM = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LABEL = /^(?!-)[A-Za-z0-9\u0080-\uFFFF-]{1,63}(?<!-)$/;

/**
 * A sane RFC 5322 addr-spec as people type them: `local@domain`, a dot-atom local part (UTF-8
 * allowed, RFC 6531), a domain of at least two labels or an address literal `[1.2.3.4]`. No
 * quoted local parts, comments, display names or whitespace: what a composer chip holds.
 */
export function isMailAddress(value: string): boolean {
  if (value.length > 320 || value.length < 3) return false;
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !DOT_ATOM.test(local)) return false;
  if (/^\[\d{1,3}(\.\d{1,3}){3}\]$/.test(domain)) return true;
  if (domain.length > 253) return false;
  const labels = domain.split(".");
  return labels.length >= 2 && labels.every((label) => LABEL.test(label));
}

/** Text that becomes (part of) a header field. */
const zHeaderText = (max: number, what: string) =>
  z
    .string()
    .max(max)
    .refine((v) => !hasLineBreak(v), {
      message: `${what} must not contain line breaks (CR, LF) or NUL`,
    });

/** A Message-ID as headers spell it, angle brackets included: `<id@host>`. */
export const ZMsgId = z
  .string()
  .max(998)
  .regex(/^<[\x21-\x3b\x3d\x3f-\x7e]+>$/, { message: "must be a message id like <id@host>" });

/** A recipient or sender: a display name (may be empty) and an addr-spec. */
export const ZComposeAddress = z.object({
  name: zHeaderText(256, "A name"),
  address: z
    .string()
    .max(320)
    .refine((v) => !hasLineBreak(v), {
      message: "An address must not contain line breaks (CR, LF) or NUL",
    })
    .refine(isMailAddress, { message: "is not a valid email address" }),
});
export type TComposeAddress = z.infer<typeof ZComposeAddress>;

/** `{ uidValidity, uid }` of a message in a known mailbox (the Drafts mailbox, for drafts). */
export const ZUidRef = z.object({
  uidValidity: z.number().int().nonnegative(),
  uid: z.number().int().positive(),
});
export type TUidRef = z.infer<typeof ZUidRef>;

const zFilename = z.string().min(1).max(255);
const zMimeType = z
  .string()
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/, {
    message: "must be a MIME type like image/png",
  });

/** A file the user uploaded (`POST /api/uploads`), by the id the upload answered with. */
export const ZUploadAttachment = z.object({
  uploadId: ZId,
  /** Shown and sent name; the bridge sanitizes it again. */
  filename: zFilename,
  size: z.number().int().nonnegative(),
  type: zMimeType,
  /**
   * An image shown in the body (pasted into the editor): sent as an inline part with Content-ID
   * `inlineContentId(uploadId)`, which the HTML names as `cid:…`. Absent: an attachment.
   */
  inline: z.boolean().optional(),
});

/** The Content-ID (without angle brackets) of an inline upload; the HTML refers to `cid:` it. */
export function inlineContentId(uploadId: string): string {
  return `${uploadId}@inline.ferry.invalid`;
}

/** A whole message the user has, attached as message/rfc822 (forward as attachment). */
export const ZForwardAttachment = z.object({
  forwardOf: ZMessageRef,
  filename: zFilename,
  size: z.number().int().nonnegative(),
});

/** One attachment of a message the user has (the attachments of an inline forward). */
export const ZPartAttachment = z.object({
  partOf: ZMessageRef,
  /** IMAP part number, e.g. "2" or "1.3". */
  part: z.string().regex(/^[1-9]\d{0,5}(\.[1-9]\d{0,5}){0,15}$/),
  filename: zFilename,
  size: z.number().int().nonnegative(),
  type: zMimeType,
});

export const ZComposeAttachment = z.union([ZUploadAttachment, ZForwardAttachment, ZPartAttachment]);
export type TComposeAttachment = z.infer<typeof ZComposeAttachment>;

export const ZComposeMode = z.enum(["reply", "replyAll", "forward", "forwardAttachment"]);
export type TComposeMode = z.infer<typeof ZComposeMode>;

/**
 * The message a draft answers or forwards. After sending, the bridge marks it \Answered (reply,
 * reply all) or $Forwarded (forward).
 */
export const ZComposeSource = z.object({ ref: ZMessageRef, mode: ZComposeMode });
export type TComposeSource = z.infer<typeof ZComposeSource>;

const recipients = z.array(ZComposeAddress).max(MAX_RECIPIENTS).default([]);

/**
 * What the composer holds. `html` null means a plain-text message; with `html` set the message
 * goes out as HTML with `text` as its plain-text alternative (the bridge derives one from the
 * HTML when `text` is empty). `from` must be the signed-in address or one of the identities.
 */
export const ZComposeDraft = z.object({
  from: ZComposeAddress,
  to: recipients,
  cc: recipients,
  bcc: recipients,
  subject: zHeaderText(998, "The subject").default(""),
  html: z.string().max(4_000_000).nullable().default(null),
  text: z.string().max(4_000_000).default(""),
  inReplyTo: ZMsgId.nullable().default(null),
  references: z.array(ZMsgId).max(100).default([]),
  attachments: z.array(ZComposeAttachment).max(MAX_ATTACHMENTS).default([]),
  identityId: ZId.nullable().default(null),
  source: ZComposeSource.nullable().default(null),
});
export type TComposeDraft = z.infer<typeof ZComposeDraft>;
export type TComposeDraftInput = z.input<typeof ZComposeDraft>;

/** A draft with nothing in it yet but who it is from. */
export function emptyDraft(from: TComposeAddress, identityId: string | null = null): TComposeDraft {
  return {
    from,
    to: [],
    cc: [],
    bcc: [],
    subject: "",
    html: null,
    text: "",
    inReplyTo: null,
    references: [],
    attachments: [],
    identityId,
    source: null,
  };
}

/** A From address the user may send as, with the signature the composer inserts. */
export const ZIdentity = z.object({
  id: ZId,
  name: zHeaderText(256, "A name"),
  address: ZComposeAddress.shape.address,
  /** Opaque to the bridge: the composer decides its format (plain text is the safe choice). */
  signature: z.string().max(10_000).default(""),
});
export type TIdentity = z.infer<typeof ZIdentity>;

// ---------------------------------------------------------------------------------------------
// Client → bridge
// ---------------------------------------------------------------------------------------------

/**
 * Send `draft` after `delaySeconds` (the undo window). Replied to at once with `compose.queued`
 * or an `error` (bad_request for a bad header or address, too_large, smtp_not_configured…), in
 * which case nothing is queued. The outcome comes later as a `compose.sent` or `compose.failed`
 * event to every socket of the session, also when this socket has gone.
 */
export const ZComposeSend = z.object({
  type: z.literal("compose.send"),
  id: ZId,
  draft: ZComposeDraft,
  delaySeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_SEND_DELAY_SECONDS)
    .default(DEFAULT_SEND_DELAY_SECONDS),
  /** The saved copy of this draft in Drafts, deleted once the message is sent. */
  draftUid: ZUidRef.nullable().default(null),
  /**
   * Send later: hold the message until this time (ISO 8601 with an offset) instead of
   * `delaySeconds`; it is listed by `scheduled.list` and can be cancelled (`compose.cancel`)
   * or sent at once (`scheduled.sendNow`) until then. Refused with bad_request when not in the
   * future or more than a year ahead.
   */
  sendAt: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Undo: take a queued message back (also a scheduled one: edit or cancel it). `compose.cancelled`
 * with the draft, its attachments as new uploads where needed, or `already_sent`.
 */
export const ZComposeCancel = z.object({
  type: z.literal("compose.cancel"),
  id: ZId,
  sendId: ZId,
});

/**
 * Save the draft to the Drafts mailbox (\Draft \Seen), then delete the copy it replaces. The
 * composer serializes saves: send the next one after this one's `draft.saved`.
 */
export const ZDraftSave = z.object({
  type: z.literal("draft.save"),
  id: ZId,
  draft: ZComposeDraft,
  replaceUid: ZUidRef.nullable().default(null),
});

/** Delete a saved draft for good. Replied to with `ok`. */
export const ZDraftDiscard = z.object({
  type: z.literal("draft.discard"),
  id: ZId,
  ref: ZMessageRef,
});

/**
 * A prefilled draft for answering or forwarding `ref`, or (mode "draft") the saved draft `ref`
 * to resume; its attachments come back as new uploads. Replied to with `compose.context`.
 */
export const ZComposeContextRequest = z.object({
  type: z.literal("compose.context"),
  id: ZId,
  ref: ZMessageRef,
  mode: z.enum(["reply", "replyAll", "forward", "forwardAttachment", "draft"]),
  /** IANA time zone for the "On <date>, <name> wrote:" line (default UTC). */
  timeZone: z.string().max(64).optional(),
});

/** Addresses from the user's mail starting with `prefix`. Replied to with `contacts`. */
export const ZContactsSuggest = z.object({
  type: z.literal("contacts.suggest"),
  id: ZId,
  prefix: z.string().max(100),
  limit: z.number().int().min(1).max(50).default(8),
});

export const ZIdentitiesList = z.object({ type: z.literal("identities.list"), id: ZId });

/** Replace the user's identities with this list (ids may be new). Replied to with `identities`. */
export const ZIdentitiesSave = z.object({
  type: z.literal("identities.save"),
  id: ZId,
  identities: z.array(ZIdentity).max(MAX_IDENTITIES),
});

/** The account's held and scheduled messages (the Scheduled view). Replied to with `scheduled`. */
export const ZScheduledList = z.object({ type: z.literal("scheduled.list"), id: ZId });

/** Send a held or scheduled message at once. Replied to with `ok`; the outcome as for a send. */
export const ZScheduledSendNow = z.object({
  type: z.literal("scheduled.sendNow"),
  id: ZId,
  sendId: ZId,
});

/** The compose frames of ZClientFrame. */
export const COMPOSE_CLIENT_FRAMES = [
  ZComposeSend,
  ZComposeCancel,
  ZDraftSave,
  ZDraftDiscard,
  ZComposeContextRequest,
  ZContactsSuggest,
  ZIdentitiesList,
  ZIdentitiesSave,
  ZScheduledList,
  ZScheduledSendNow,
] as const;

// ---------------------------------------------------------------------------------------------
// Bridge → client
// ---------------------------------------------------------------------------------------------

/** The message is held until `sendAt` (ISO 8601); `compose.cancel` with `sendId` before then. */
export const ZComposeQueued = z.object({
  type: z.literal("compose.queued"),
  id: ZId,
  sendId: ZId,
  sendAt: z.string(),
});

/** Undo worked: nothing was sent, and here is the draft for the editor. */
export const ZComposeCancelled = z.object({
  type: z.literal("compose.cancelled"),
  id: ZId,
  sendId: ZId,
  draft: ZComposeDraft,
});

/** What went wrong after a message was sent; the message itself went out. */
export const ZSendWarning = z.enum([
  /** The copy in Sent could not be saved. */
  "sent_copy_failed",
  /** The original could not be marked \Answered / $Forwarded. */
  "original_not_flagged",
  /** The saved draft could not be deleted from Drafts. */
  "draft_not_deleted",
]);

/** Event: a queued message was accepted by the SMTP server. */
export const ZComposeSent = z.object({
  type: z.literal("compose.sent"),
  sendId: ZId,
  messageId: z.string(),
  /** The copy in Sent, when the bridge saved one and the server reported its UID. */
  sentCopy: ZMessageRef.nullable(),
  warnings: z.array(ZSendWarning),
});

/**
 * Event: a queued message could not be sent; nothing went out. `draft` is the message as it
 * was queued, for the editor. `rejected` lists the refused recipients (recipient_refused).
 */
export const ZComposeFailed = z.object({
  type: z.literal("compose.failed"),
  sendId: ZId,
  code: ErrorCode,
  message: z.string(),
  draft: ZComposeDraft,
  rejected: z.array(z.string()),
});

export const ZDraftSaved = z.object({
  type: z.literal("draft.saved"),
  id: ZId,
  mailbox: z.string(),
  uidValidity: z.number().int().nonnegative(),
  uid: z.number().int().positive(),
});

/** Reply to `compose.context`. `draftUid`: the resumed draft, to pass as `replaceUid`. */
export const ZComposeContext = z.object({
  type: z.literal("compose.context"),
  id: ZId,
  mode: ZComposeContextRequest.shape.mode,
  draft: ZComposeDraft,
  draftUid: ZUidRef.nullable(),
  /**
   * A resumed draft's inline images (its HTML names them `cid:` `inlineContentId(uploadId)`):
   * upload id → the part of `ref` the image was copied from, for the composer to show.
   */
  inlineParts: z.record(ZId, ZPartAttachment.shape.part).optional(),
});

export const ZContacts = z.object({
  type: z.literal("contacts"),
  id: ZId,
  contacts: z.array(ZAddress),
});

export const ZIdentities = z.object({
  type: z.literal("identities"),
  id: ZId,
  /** The signed-in address itself is not in the list: it can always be used. */
  identities: z.array(ZIdentity),
});

/** A held ("undo") or scheduled ("later") message of the account. */
export const ZScheduledMessage = z.object({
  sendId: ZId,
  kind: z.enum(["undo", "later"]),
  /** When it goes; null for a scheduled message that failed and waits for the user. */
  sendAt: z.string().nullable(),
  /** A bridge has started sending it (it can no longer be edited or cancelled). */
  sending: z.boolean(),
  draft: ZComposeDraft,
  /** The saved copy of the draft in Drafts (deleted once sent): editing it replaces that copy. */
  draftUid: ZUidRef.nullable().default(null),
  /** Why a scheduled message was not sent (it stays listed until edited or cancelled). */
  failure: z.object({ code: ErrorCode, message: z.string() }).nullable(),
});
export type TScheduledMessage = z.infer<typeof ZScheduledMessage>;

/** Reply to `scheduled.list`, by the time each message goes. */
export const ZScheduled = z.object({
  type: z.literal("scheduled"),
  id: ZId,
  messages: z.array(ZScheduledMessage),
});

/** The compose frames of ZServerFrame. */
export const COMPOSE_SERVER_FRAMES = [
  ZComposeQueued,
  ZComposeCancelled,
  ZComposeSent,
  ZComposeFailed,
  ZDraftSaved,
  ZComposeContext,
  ZContacts,
  ZIdentities,
  ZScheduled,
] as const;

// ---------------------------------------------------------------------------------------------
// HTTP: uploads
// ---------------------------------------------------------------------------------------------

/**
 * `POST /api/uploads?filename=<name>` with the raw file as the body and its type as
 * Content-Type answers 201 with this; `DELETE /api/uploads/<uploadId>` answers 204. A file
 * over the per-file limit is answered 413 too_large before the rest of the body is read.
 */
export const ZUploadInfo = z.object({
  uploadId: ZId,
  filename: z.string(),
  size: z.number().int().nonnegative(),
  type: z.string(),
});
export type TUploadInfo = z.infer<typeof ZUploadInfo>;

/** URL to POST a file to. */
export function uploadUrl(filename: string): string {
  return `/api/uploads?${new URLSearchParams({ filename }).toString()}`;
}
