/**
 * Where the user is, kept in the URL's query string of the one page so that deep links, reloads
 * and the Back button work in a static export:
 *   /?folder=INBOX&msg=<uidValidity>:<uid>&q=<search>&ro=1&view=folders&sort=from.asc
 * (view=scheduled shows the Scheduled view in the list's place)
 * Changes go through `navigate`, which pushes (or replaces) a history entry.
 */
import type { TListSort } from "@ferry/protocol";
import { useSyncExternalStore } from "react";
import { parseSortId, sortId } from "./list-sort";

export interface Route {
  folder: string;
  /** The open message in `folder`, by UIDVALIDITY and UID. */
  msg: { uidValidity: number; uid: number } | null;
  /** The search, or null. */
  q: string | null;
  /** Open the folder read-only (EXAMINE). */
  ro: boolean;
  /**
   * "folders": on a phone, show the folder list instead of the message list. "scheduled": the
   * Scheduled view (mail to send later) instead of the message list.
   */
  view: "folders" | "scheduled" | null;
  /** The list's order when the URL names one (list-sort.ts); absent: the user's saved choice. */
  sort?: TListSort | undefined;
}

export const DEFAULT_FOLDER = "INBOX";

export function parseRoute(search: string): Route {
  const p = new URLSearchParams(search);
  const folder = p.get("folder") || DEFAULT_FOLDER;
  const m = /^(\d+):(\d+)$/.exec(p.get("msg") ?? "");
  const q = p.get("q");
  const sort = parseSortId(p.get("sort"));
  const view = p.get("view");
  return {
    folder,
    msg: m ? { uidValidity: Number(m[1]), uid: Number(m[2]) } : null,
    q: q?.trim() ? q : null,
    ro: p.get("ro") === "1",
    view: view === "folders" || view === "scheduled" ? view : null,
    ...(sort ? { sort } : {}),
  };
}

export function routeToSearch(r: Route): string {
  const p = new URLSearchParams();
  if (r.folder !== DEFAULT_FOLDER) p.set("folder", r.folder);
  if (r.q) p.set("q", r.q);
  if (r.ro) p.set("ro", "1");
  if (r.msg) p.set("msg", `${r.msg.uidValidity}:${r.msg.uid}`);
  if (r.view) p.set("view", r.view);
  if (r.sort && sortId(r.sort)) p.set("sort", sortId(r.sort));
  const s = p.toString();
  return s ? `?${s}` : "";
}

const listeners = new Set<() => void>();
let cachedSearch: string | null = null;
let cachedRoute: Route = parseRoute("");

function snapshot(): Route {
  const search = window.location.search;
  if (search !== cachedSearch) {
    cachedSearch = search;
    cachedRoute = parseRoute(search);
  }
  return cachedRoute;
}

function emit(): void {
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  if (listeners.size === 0) window.addEventListener("popstate", emit);
  listeners.add(l);
  return () => {
    listeners.delete(l);
    if (listeners.size === 0) window.removeEventListener("popstate", emit);
  };
}

/** The current route (re-renders on navigation and Back/Forward). */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, snapshot, () => cachedRoute);
}

export function getRoute(): Route {
  return snapshot();
}

/**
 * Go somewhere: `next` is merged into the current route. `backable` marks the new entry as one
 * the in-app Back button may leave with `history.back()`.
 */
export function navigate(
  next: Partial<Route>,
  opts: { replace?: boolean; backable?: boolean } = {},
): void {
  const target = { ...snapshot(), ...next };
  const url = `${window.location.pathname}${routeToSearch(target)}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  const state: unknown = window.history.state;
  const base = typeof state === "object" && state !== null ? state : {};
  if (opts.replace) {
    window.history.replaceState({ ...base, ferryBack: false }, "", url);
  } else {
    window.history.pushState({ ...base, ferryBack: opts.backable === true }, "", url);
  }
  emit();
}

/** Leave the current view the way the user came (Back), or to `fallback` on a deep link. */
export function goBack(fallback: Partial<Route>): void {
  const state: unknown = window.history.state;
  if (typeof state === "object" && state !== null && "ferryBack" in state && state.ferryBack) {
    window.history.back();
  } else {
    navigate(fallback, { replace: true });
  }
}

/** Open a folder: a new list, no message, no search. */
export function goToFolder(folder: string, opts: { readOnly?: boolean } = {}): void {
  navigate({ folder, msg: null, q: null, ro: opts.readOnly ?? false, view: null });
}

export function hrefForFolder(folder: string): string {
  return `/${routeToSearch({ folder, msg: null, q: null, ro: false, view: null })}`;
}
