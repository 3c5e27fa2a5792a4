/**
 * The user's settings as the bridge keeps them (per account: they follow the user to every
 * browser and device), with a copy in localStorage so that the first paint after a reload uses
 * them before the bridge answers. Every tab of the account gets `settings.changed` when any of
 * them saves, and `identities.changed` when identities are saved; both update the page at once.
 * Right after a sign-in, before the socket's first answer, the list view is the one the sign-in
 * answer told (lib/session signInListView): a browser new to the account has no copy, and its
 * default guess would paint conversations for a user who chose one row per message.
 *
 * localStorage, key by key:
 * - `ferry.compose.undoSeconds` (the undo-send delay, kept per browser before): moved to the
 *   bridge once, by the first page that finds the bridge never saved settings (`rev` 0), then
 *   removed;
 * - `ferry.settings`: the copy for first paint, naming its account (a copy of another account's
 *   is not used), removed when the session ends (by lib/session, whether or not this module ran);
 * - stay per device: `ferry.theme` (follows the device's light or dark setting; applied before
 *   first paint by lib/theme-script.ts), the pane widths (`ferry.pane.*`, a screen's size) and
 *   `ferry.account` (who a reload paints the cache for).
 */
import {
  DEFAULT_OFFLINE_DAYS,
  DEFAULT_SEND_DELAY_SECONDS,
  type TSettingsChange,
  type TUserSettings,
  ZUserSettings,
} from "@ferry/protocol";
import { useSyncExternalStore } from "react";
import { identitiesKey } from "@/hooks/use-compose";
import { queryClient, socket } from "./mail-client";
import {
  onSessionEnd,
  onSignedIn,
  rememberedAccount,
  SETTINGS_COPY_KEY,
  signInListView,
} from "./session";

const COPY_KEY = SETTINGS_COPY_KEY;
/** Where the undo-send delay lived before settings moved to the bridge. */
export const LEGACY_SEND_DELAY_KEY = "ferry.compose.undoSeconds";

export const DEFAULT_USER_SETTINGS: TUserSettings = {
  undoSeconds: DEFAULT_SEND_DELAY_SECONDS,
  remoteContent: { senders: [], domains: [] },
  conversations: true,
  offlineDays: DEFAULT_OFFLINE_DAYS,
};

let current: TUserSettings = DEFAULT_USER_SETTINGS;
let rev = -1;
let loadedCopy = false;
let started = false;
const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

function readCopy(): void {
  if (loadedCopy) return;
  loadedCopy = true;
  try {
    const raw = localStorage.getItem(COPY_KEY);
    const account = rememberedAccount();
    if (raw === null || account === null) return;
    const copy = JSON.parse(raw) as { account?: unknown; settings?: unknown };
    if (copy.account !== account) return; // another account's (or an untagged old) copy
    const parsed = ZUserSettings.safeParse(copy.settings);
    if (parsed.success) current = parsed.data;
  } catch {
    // no usable copy: the defaults until the bridge answers
  }
}

/** The sign-in answer whose list view was taken (each sign-in's is taken once). */
let takenView: object | null = null;

/** Until the bridge's settings arrive, the list view is the sign-in answer's, when it told one. */
function takeSignInView(): void {
  const told = signInListView();
  if (told === null || told === takenView) return;
  takenView = told;
  if (rev >= 0 || current.conversations === told.conversations) return;
  current = { ...current, conversations: told.conversations };
}

function apply(settings: TUserSettings, nextRev: number): void {
  if (nextRev < rev) return; // an older answer than what this page shows
  rev = nextRev;
  current = settings;
  try {
    const account = rememberedAccount();
    if (account !== null) localStorage.setItem(COPY_KEY, JSON.stringify({ account, settings }));
  } catch {
    // not kept for the next first paint
  }
  notify();
}

/** The undo-send delay this browser kept before settings lived on the bridge, if any. */
function legacyUndoSeconds(): number | null {
  try {
    const raw = localStorage.getItem(LEGACY_SEND_DELAY_KEY);
    if (raw === null) return null;
    const n = Number(raw);
    return Number.isFinite(n) ? Math.round(n) : null;
  } catch {
    return null;
  }
}

async function load(): Promise<void> {
  const reply = await socket.request({ type: "settings.get" });
  const legacy = legacyUndoSeconds();
  if (reply.rev === 0 && legacy !== null) {
    const moved = await socket.request({
      type: "settings.save",
      change: { undoSeconds: Math.max(0, Math.min(30, legacy)) },
    });
    apply(moved.settings, moved.rev);
  } else {
    apply(reply.settings, reply.rev);
  }
  if (legacy !== null) {
    try {
      localStorage.removeItem(LEGACY_SEND_DELAY_KEY);
    } catch {
      // moved already; removing it again next time is harmless
    }
  }
}

/** Starts following the bridge's settings (once per page; every hook calls it). */
export function startSettings(): void {
  if (started) return;
  started = true;
  readCopy();
  onSignedIn(() => notify());
  socket.onEvent((e) => {
    if (e.type === "settings.changed") apply(e.settings, e.rev);
    else if (e.type === "identities.changed") queryClient.setQueryData(identitiesKey, e.identities);
  });
  // After every hello: saves made while this tab was offline are picked up. Before the first
  // hello that is the only load (a request made now would be sent at the hello as well).
  socket.onOpen(() => void load().catch(() => undefined));
  if (socket.getStatus() === "online") void load().catch(() => undefined);
  onSessionEnd(() => {
    current = DEFAULT_USER_SETTINGS;
    rev = -1;
    try {
      localStorage.removeItem(COPY_KEY);
    } catch {
      // nothing kept
    }
    notify();
  });
}

/** The bridge has answered with this account's settings since the page (or session) started. */
export function settingsKnown(): boolean {
  return rev >= 0;
}

export function getSettings(): TUserSettings {
  readCopy();
  takeSignInView();
  return current;
}

/** Saves a change (only what it names) and applies what the bridge kept. */
export async function saveSettings(change: TSettingsChange): Promise<TUserSettings> {
  const reply = await socket.requestNow({ type: "settings.save", change });
  apply(reply.settings, reply.rev);
  return reply.settings;
}

export function useSettings(): TUserSettings {
  startSettings();
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSettings,
    () => DEFAULT_USER_SETTINGS,
  );
}
