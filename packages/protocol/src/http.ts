/**
 * The bridge's small HTTP API (everything that is not a socket frame): sign-in, sign-out,
 * the public configuration the sign-in page needs, and the parts/proxy URL shapes.
 */
import { z } from "zod";
import { ZWindow } from "./frames";
import { ZListSort } from "./model";
import { SIGN_IN_ROWS_MAX } from "./sign-in-limits";
import { PROTOCOL_VERSION } from "./version";

export const ZSecurity = z.enum(["tls", "starttls"]);
export type TSecurity = z.infer<typeof ZSecurity>;

export const ZServerAddress = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: ZSecurity,
});
export type TServerAddress = z.infer<typeof ZServerAddress>;

/** `POST /api/session` body. `imap`/`smtp` only when the administrator has not pinned them. */
export const ZSessionRequest = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
  imap: ZServerAddress.optional(),
  smtp: ZServerAddress.optional(),
  /**
   * The page will show INBOX first, of conversations or of messages: the answer then carries
   * that window (ZSessionInfo.inbox) when it is read in time, of the kind the account's saved
   * setting says when the bridge has one (ZSessionInfo.conversations).
   */
  inbox: z
    .object({
      conversations: z.boolean(),
      /**
       * How many rows the page's screen shows (from its height and its layout's row height): a
       * window of conversations then carries that many and a few more, the rest coming over the
       * socket. Absent: SIGN_IN_CONVERSATIONS (bridge). A window of messages is read whole.
       */
      rows: z.number().int().min(1).max(SIGN_IN_ROWS_MAX).optional(),
      /**
       * The order the page will show INBOX in (the user's kept choice, or the address's), when
       * it is not DEFAULT_SORT: the window is then of messages in that order (conversations
       * group the default order only), read with the server's SORT; none when it cannot SORT.
       */
      sort: ZListSort.optional(),
    })
    .optional(),
});
export type TSessionRequest = z.infer<typeof ZSessionRequest>;

/**
 * INBOX's first window as the sign-in answer carries it, when the request asked for it: the
 * `list.window` reply the web app would ask for first (of conversations when `conversations` is
 * there), without a revision (the socket's first hello has the lists on screen asked for again,
 * in revision order).
 */
export const ZSignInWindow = ZWindow.omit({ type: true, id: true, rev: true, searched: true });
export type TSignInWindow = z.infer<typeof ZSignInWindow>;

/** `POST /api/session` 2xx body and `GET /api/session` body when signed in. */
export const ZSessionInfo = z.object({
  email: z.string(),
  protocolVersion: z.literal(PROTOCOL_VERSION),
  /** Only in the sign-in answer, when the window was read in time (else the socket asks). */
  inbox: ZSignInWindow.optional(),
  /**
   * Only in the sign-in answer: whether the account's lists are of conversations, its saved
   * setting (ZUserSettings.conversations), which `inbox` follows whatever the request guessed
   * (a new browser cannot know it). The page shows that view until its socket brings the
   * settings. Absent (an older bridge, or the setting could not be read): `inbox` is of the kind
   * the request asked for.
   */
  conversations: z.boolean().optional(),
});
export type TSessionInfo = z.infer<typeof ZSessionInfo>;

/** `GET /api/config`: what the sign-in page needs to know before anyone signs in. */
export const ZPublicConfig = z.object({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  /** True when the administrator pinned the IMAP server: the sign-in page hides server fields. */
  imapPinned: z.boolean(),
  smtpPinned: z.boolean(),
  /** A hint shown on the sign-in page of the demo, or null. */
  demo: z.object({ email: z.string(), password: z.string() }).nullable(),
  /**
   * Filters and the vacation reply are on (FERRY_SIEVE_PORT is not 0); false: the UI hides them.
   * Absent (an older bridge): on.
   */
  rules: z.boolean().optional(),
  /** Largest attachment one upload may be, in bytes (FERRY_UPLOAD_MAX_MB). Absent: 25 MiB. */
  uploadMaxBytes: z.number().int().positive().optional(),
  /** Largest total of attachments in one message, in bytes (FERRY_MESSAGE_MAX_MB). Absent: 35 MiB. */
  messageMaxBytes: z.number().int().positive().optional(),
});
export type TPublicConfig = z.infer<typeof ZPublicConfig>;

/**
 * URL of one MIME part (attachments, inline cid: images) or, with part "raw", the whole source.
 * `download` asks for Content-Disposition: attachment.
 */
export function partUrl(
  ref: { mailbox: string; uidValidity: number; uid: number },
  part: string,
  opts: { download?: boolean } = {},
): string {
  const q = new URLSearchParams({
    mailbox: ref.mailbox,
    uidValidity: String(ref.uidValidity),
    uid: String(ref.uid),
    part,
  });
  if (opts.download) q.set("download", "1");
  return `/api/parts?${q.toString()}`;
}

/** URL of remote content fetched through the bridge's image proxy. */
export function proxyUrl(target: string): string {
  return `/api/proxy?${new URLSearchParams({ url: target }).toString()}`;
}
