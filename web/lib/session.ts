/**
 * Who is signed in, as the page knows it. The bridge holds the real session (an HttpOnly cookie
 * the page cannot read); the page remembers only the account's email address, so that a reload
 * can paint the cached mailbox at once while `GET /api/session` confirms the session.
 * The password is never stored anywhere in the browser. Whenever a session ends (signed out, or
 * found expired: 401, socket closed with 4001), the mail kept in the browser is deleted before
 * the sign-in page shows, and the service worker (which holds only the app shell) is removed.
 * A sign-out made with no network is remembered (a flag, no secret) until the bridge has heard
 * it: until then the session cookie is not trusted, and the bridge is told first, so the session
 * does not come back with the network or on the next sign-in.
 */
import type { TSessionRequest, TSignInWindow } from "@ferry/protocol";
import { useEffect, useState, useSyncExternalStore } from "react";
import { signIn as apiSignIn, signOut as apiSignOut, fetchSession } from "./api";
import { FerryError } from "./errors";
import { firstWindowToAsk } from "./first-window";
import { clearPersisted } from "./lazy-persist";
import { unregisterServiceWorker } from "./service-worker";

const ACCOUNT_KEY = "ferry.account";
/**
 * lib/settings' copy of the account's settings for first paint. It is the session's to remove:
 * lib/settings is part of the mailbox's code, which a page whose session ends may never load.
 */
export const SETTINGS_COPY_KEY = "ferry.settings";
const SIGN_OUT_PENDING_KEY = "ferry.signOutPending";

export type SessionState =
  | { phase: "checking" }
  | { phase: "signedOut"; notice: "expired" | "network" | null }
  | { phase: "signedIn"; email: string; confirmed: boolean };

let state: SessionState = { phase: "checking" };
const listeners = new Set<() => void>();
const signOutHooks = new Set<() => void | Promise<void>>();
const signInHooks = new Set<(signedIn: SignedIn) => void>();

function setState(next: SessionState): void {
  state = next;
  for (const l of listeners) l();
}

/** The account this browser last signed in to, if it is remembered (a reload paints its cache). */
export function rememberedAccount(): string | null {
  return readAccount();
}

function readAccount(): string | null {
  try {
    return localStorage.getItem(ACCOUNT_KEY);
  } catch {
    return null;
  }
}

function writeAccount(email: string | null): void {
  try {
    if (email === null) {
      localStorage.removeItem(ACCOUNT_KEY);
      localStorage.removeItem(SETTINGS_COPY_KEY);
    } else localStorage.setItem(ACCOUNT_KEY, email);
  } catch {
    // storage blocked: the session still works, reloads just can't paint from cache
  }
}

function signOutPending(): boolean {
  try {
    return localStorage.getItem(SIGN_OUT_PENDING_KEY) !== null;
  } catch {
    return false;
  }
}

function setSignOutPending(pending: boolean): void {
  try {
    if (pending) localStorage.setItem(SIGN_OUT_PENDING_KEY, "1");
    else localStorage.removeItem(SIGN_OUT_PENDING_KEY);
  } catch {
    // storage blocked: the bridge is told now or never
  }
}

/** Tells the bridge about a sign-out made offline; true once it has heard (or none is pending). */
async function finishPendingSignOut(): Promise<boolean> {
  if (!signOutPending()) return true;
  const told = await apiSignOut().catch(() => false);
  if (told) setSignOutPending(false);
  return told;
}

/** Register cleanup to run when the session ends (close the socket, drop cached mail). */
export function onSessionEnd(hook: () => void | Promise<void>): () => void {
  signOutHooks.add(hook);
  return () => signOutHooks.delete(hook);
}

/** What a sign-in that just succeeded hands its hooks (kept in memory only, never stored). */
export interface SignedIn {
  /** The account signed in to, as the bridge spells it. */
  email: string;
  /** INBOX's first window, when the sign-in answer carried it (in its `sort`, when it has one). */
  inbox: TSignInWindow | null;
  /** The account's saved list view as the answer told it (null: it did not); `inbox` is of it. */
  conversations: boolean | null;
}

/**
 * The list view the last sign-in's answer told, one object per sign-in: lib/settings shows it
 * until the socket brings the settings, so a browser new to the account paints the user's view
 * from the first frame instead of its default guess.
 */
let answeredView: { conversations: boolean } | null = null;

export function signInListView(): { conversations: boolean } | null {
  return answeredView;
}

/**
 * The list view the page would show, as far as it knows before the sign-in's answer: the saved
 * settings once the mailbox's code has arrived (it registers them, see setListViewGuess); until
 * then the default, conversations. Either way the answer's window is of the view the account saved
 * when the bridge knows it (SignedIn.conversations).
 */
let listViewGuess: () => boolean = () => true;

/** The mailbox says which list view it would show, for the first window a sign-in asks for. */
export function setListViewGuess(fn: () => boolean): void {
  listViewGuess = fn;
}

/**
 * Register a hook that runs when a sign-in succeeds, before the page re-renders: the mailbox
 * uses it to put the first rows the answer carried in its cache (so its first render paints
 * them), open its socket and ask for what else it shows.
 */
export function onSignedIn(hook: (signedIn: SignedIn) => void): () => void {
  signInHooks.add(hook);
  return () => signInHooks.delete(hook);
}

/** Drops the session's state in this browser: the socket, the cache in memory and on disk. */
async function clearLocally(): Promise<void> {
  writeAccount(null);
  answeredView = null;
  await Promise.allSettled([
    ...[...signOutHooks].map(async (h) => h()),
    clearPersisted(),
    unregisterServiceWorker(),
  ]);
}

async function endLocally(notice: "expired" | null): Promise<void> {
  await clearLocally();
  setState({ phase: "signedOut", notice });
}

/** A sign-out is under way: the socket's 4001 or a 401 meanwhile is part of it. */
let signingOut = false;

let started = false;

/** Decide at start-up: cached account (paint at once, then confirm) or the sign-in page. */
export function initSession(): void {
  if (started) return;
  started = true;
  if (signOutPending()) {
    // Signed out while offline: the cookie may still name a live session; end it first.
    setState({ phase: "signedOut", notice: null });
    const retry = () => void finishPendingSignOut();
    void finishPendingSignOut().then((told) => {
      if (!told && typeof window !== "undefined") window.addEventListener("online", retry);
    });
    return;
  }
  const account = readAccount();
  if (account) setState({ phase: "signedIn", email: account, confirmed: false });
  fetchSession().then(
    (info) => {
      if (info) {
        if (account && account !== info.email) {
          // Another account signed in elsewhere in this browser: drop the old cache first.
          void endLocally(null).then(() => {
            writeAccount(info.email);
            setState({ phase: "signedIn", email: info.email, confirmed: true });
          });
          return;
        }
        writeAccount(info.email);
        setState({ phase: "signedIn", email: info.email, confirmed: true });
      } else if (account) {
        void endLocally("expired");
      } else {
        // Nothing says whose mail the browser may still hold (a tab closed without signing out,
        // storage left behind): it goes before anyone signs in here.
        void endLocally(null);
      }
    },
    (err: unknown) => {
      // Offline: keep reading the cached mail if there is any.
      if (account) return;
      setState({
        phase: "signedOut",
        notice: err instanceof FerryError && err.code === "network" ? "network" : null,
      });
    },
  );
}

export async function signIn(request: TSessionRequest): Promise<void> {
  await finishPendingSignOut();
  const inbox = firstWindowToAsk(listViewGuess(), request.email);
  const info = await apiSignIn(inbox ? { ...request, inbox } : request);
  writeAccount(info.email);
  const conversations = info.conversations ?? null;
  answeredView = conversations === null ? null : { conversations };
  const signedIn: SignedIn = { email: info.email, inbox: info.inbox ?? null, conversations };
  for (const hook of signInHooks) hook(signedIn);
  // The page's root renders this at default priority (useRootSession), in a task of its own:
  // the socket a hook opened sends its handshake first, so the bridge's hello comes while the
  // mailbox renders instead of after it.
  setState({ phase: "signedIn", email: info.email, confirmed: true });
}

export async function signOut(): Promise<void> {
  if (signingOut) return;
  signingOut = true;
  try {
    // The page's own copy goes before the bridge is told: its answer carries Clear-Site-Data,
    // and IndexedDB requests made while the browser clears storage can wait for a long time.
    setSignOutPending(true);
    await clearLocally();
    if (await apiSignOut().catch(() => false)) setSignOutPending(false);
    else if (typeof window !== "undefined") {
      window.addEventListener("online", () => void finishPendingSignOut(), { once: true });
    }
  } finally {
    signingOut = false;
  }
  setState({ phase: "signedOut", notice: null });
}

/** The bridge said this session is over (socket closed with 4001, or 401). */
export function sessionExpired(): void {
  if (state.phase !== "signedIn" || signingOut) return;
  void endLocally("expired");
}

/**
 * The session state for the page's root (components/app.tsx). Unlike useSession, a change
 * re-renders at React's default priority, in a task of its own, rather than synchronously: so
 * the commit that shows the mailbox after a sign-in is painted before the mailbox's effects
 * (its subscriptions, listeners and timers) run, instead of those holding back its first frame.
 */
export function useRootSession(): SessionState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    const update = () => setCurrent(state);
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return current;
}

export function useSession(): SessionState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
    () => state,
  );
}
