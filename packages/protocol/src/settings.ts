/**
 * Settings that follow the user across browsers and devices: the frames that read and change
 * them and the event that tells the user's other open tabs. The bridge keeps them per account
 * (IMAP server and account name, never an email address alone); identities and signatures have
 * their own frames (`identities.*`, compose.ts) and their own event here.
 *
 * A change names only what it changes (`undoSeconds`, senders or domains added to or removed from
 * the remote-content allow list), so two tabs changing different things never undo each other.
 * `rev` counts the saves of an account's settings: 0 means they were never saved (the defaults),
 * which is when a browser may bring in what it kept itself before settings lived on the bridge.
 */
import { z } from "zod";
import { MAX_SEND_DELAY_SECONDS, ZIdentity } from "./compose";

const ZId = z.string().min(1).max(64);

/** Entries of each remote-content allow list (senders, domains). */
export const MAX_REMOTE_ALLOW = 1000;

/**
 * A sender's address (`ann@example.com`) or a domain (`example.com`) as the allow lists keep it:
 * trimmed and lower-cased.
 */
export function normalizeAllowEntry(value: string): string {
  return value.trim().toLowerCase();
}

const ZSenderEntry = z
  .string()
  .max(320)
  .transform(normalizeAllowEntry)
  .refine((v) => /^[^\s@]+@[^\s@]+$/.test(v), { message: "must be an email address" });
const ZDomainEntry = z
  .string()
  .max(253)
  .transform(normalizeAllowEntry)
  .refine((v) => /^[a-z0-9\u00a1-\uffff-]+(\.[a-z0-9\u00a1-\uffff-]+)+$/.test(v), {
    message: "must be a domain name",
  });

/**
 * Days of Inbox mail whose bodies the browser fetches ahead while online, to read offline (0:
 * none). The web app keeps them within a storage budget and shows it in Settings.
 */
export const OFFLINE_DAYS_CHOICES = [0, 7, 30, 90] as const;
/** On by default: the last week is what a phone is read for on a train, and costs a few MB. */
export const DEFAULT_OFFLINE_DAYS = 7;
export const ZOfflineDays = z.union([z.literal(0), z.literal(7), z.literal(30), z.literal(90)]);

export const ZUserSettings = z.object({
  /** Seconds a sent message waits for Undo (0: sent at once). */
  undoSeconds: z.number().int().min(0).max(MAX_SEND_DELAY_SECONDS),
  /** Senders and domains whose remote content (images, CSS url()) loads without asking. */
  remoteContent: z.object({
    senders: z.array(z.string()).max(MAX_REMOTE_ALLOW),
    domains: z.array(z.string()).max(MAX_REMOTE_ALLOW),
  }),
  /**
   * Lists show one row per conversation (false: one row per message). On unless the user turned
   * it off: settings saved before the setting existed read as on.
   */
  conversations: z.boolean().default(true),
  /** Days of Inbox bodies kept for offline reading (OFFLINE_DAYS_CHOICES); absent reads as 7. */
  offlineDays: ZOfflineDays.default(DEFAULT_OFFLINE_DAYS),
});
export type TUserSettings = z.infer<typeof ZUserSettings>;

/** True when `from` (an address) is allowed by `settings` to load remote content. */
export function remoteContentAllowed(settings: TUserSettings, from: string): boolean {
  const address = normalizeAllowEntry(from);
  if (settings.remoteContent.senders.includes(address)) return true;
  const domain = address.slice(address.lastIndexOf("@") + 1);
  return settings.remoteContent.domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** A change to the settings: only what it names changes. */
export const ZSettingsChange = z.object({
  undoSeconds: z.number().int().min(0).max(MAX_SEND_DELAY_SECONDS).optional(),
  conversations: z.boolean().optional(),
  offlineDays: ZOfflineDays.optional(),
  allowSenders: z
    .object({
      add: z.array(ZSenderEntry).max(100).default([]),
      remove: z.array(ZSenderEntry).max(100).default([]),
    })
    .optional(),
  allowDomains: z
    .object({
      add: z.array(ZDomainEntry).max(100).default([]),
      remove: z.array(ZDomainEntry).max(100).default([]),
    })
    .optional(),
});
export type TSettingsChange = z.input<typeof ZSettingsChange>;

// Client → bridge ---------------------------------------------------------------------------

export const ZSettingsGet = z.object({ type: z.literal("settings.get"), id: ZId });

export const ZSettingsSave = z.object({
  type: z.literal("settings.save"),
  id: ZId,
  change: ZSettingsChange,
});

export const SETTINGS_CLIENT_FRAMES = [ZSettingsGet, ZSettingsSave] as const;

// Bridge → client ---------------------------------------------------------------------------

/** The account's settings (the reply of both requests). */
export const ZSettings = z.object({
  type: z.literal("settings"),
  id: ZId,
  settings: ZUserSettings,
  rev: z.number().int().nonnegative(),
});

/** Pushed to every open tab of the account (this one too) after a save anywhere. */
export const ZSettingsChanged = z.object({
  type: z.literal("settings.changed"),
  settings: ZUserSettings,
  rev: z.number().int().nonnegative(),
});

/** Pushed to every open tab of the account after its identities were saved. */
export const ZIdentitiesChanged = z.object({
  type: z.literal("identities.changed"),
  identities: z.array(ZIdentity),
});

export const SETTINGS_SERVER_FRAMES = [ZSettings, ZSettingsChanged, ZIdentitiesChanged] as const;
