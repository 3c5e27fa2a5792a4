/**
 * The script that paints the mailbox as last shown (lib/mailbox-snapshot.ts, stored by
 * lib/persist.ts) the moment a reload's HTML is parsed, before any of the app's chunks run. It is
 * inline, first in <body> (app/layout.tsx): the parser runs it without fetching anything, so the
 * paint waits neither on the HTTP cache nor behind the chunks that run while a fetch is pending
 * (the bridge's CSP lists the hash of each inline script of the page). It paints only the
 * remembered account's snapshot (lib/session.ts's keys), for the same view and layout, not after
 * a sign-out still waiting for the network, and never one past its expiry. It parses only the
 * small record naming the snapshot; the markup, kept under its own key, is read once that record
 * says to paint it, and only when its length is the one the record names. The markup is the
 * page's own, inert and busy, in an element React does not hydrate (<ferry-snapshot>) laid over
 * the rest of the page; the mailbox's first render removes it (components/mailbox-snapshot.tsx).
 *
 * Plain JavaScript in a string, as the browser runs it: nothing here is compiled.
 */

/** localStorage keys: the record (JSON) and the markup it names (lib/persist.ts writes both). */
export const SNAPSHOT_KEY = "ferry.snapshot.v3";
export const SNAPSHOT_HTML_KEY = "ferry.snapshot.v3.html";

export const SNAPSHOT_PAINT_SCRIPT = `(() => {
  try {
    const account = localStorage.getItem("ferry.account");
    if (!account || localStorage.getItem("ferry.signOutPending") !== null) return;
    const text = localStorage.getItem("${SNAPSHOT_KEY}");
    if (!text) return;
    const s = JSON.parse(text);
    if (typeof s !== "object" || s === null || typeof s.length !== "number") return;
    if (s.email !== account || s.route !== location.pathname + location.search) return;
    if (typeof s.expires !== "number" || s.expires < Date.now()) return;
    if (typeof s.layout !== "string" || window.matchMedia(s.layout).matches !== s.phone) return;
    const html = localStorage.getItem("${SNAPSHOT_HTML_KEY}");
    if (html === null || html.length !== s.length) return;
    const shown = document.createElement("ferry-snapshot");
    shown.setAttribute("inert", "");
    shown.setAttribute("aria-busy", "true");
    shown.dataset.account = account;
    const style = document.createElement("style");
    style.textContent =
      "ferry-snapshot{position:fixed;inset:0;z-index:2147483647;overflow:hidden;background-color:inherit}";
    const markup = document.createElement("div");
    markup.className = "contents";
    markup.innerHTML = html;
    shown.append(style, markup);
    document.currentScript.after(shown);
  } catch (_) {}
})();`;
