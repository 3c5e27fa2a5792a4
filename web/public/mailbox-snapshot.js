// Paints the mailbox as last shown (web/lib/mailbox-snapshot.ts stores it in localStorage) the
// moment a reload's HTML is parsed, before any of the app's chunks run: loaded blocking at the
// start of <body>, an external file because the CSP allows no inline script. It paints only the
// remembered account's snapshot (lib/session.ts's keys), for the same view and layout, not after
// a sign-out still waiting for the network, and never one past its expiry. The markup is the
// page's own, inert and busy, in an element React does not hydrate (<ferry-snapshot>) laid over
// the rest of the page; the mailbox's first render removes it (components/mailbox-snapshot.tsx).
(() => {
  try {
    const account = localStorage.getItem("ferry.account");
    if (!account || localStorage.getItem("ferry.signOutPending") !== null) return;
    const text = localStorage.getItem("ferry.snapshot.v2");
    if (!text) return;
    const s = JSON.parse(text);
    if (typeof s !== "object" || s === null || typeof s.html !== "string") return;
    if (s.email !== account || s.route !== location.pathname + location.search) return;
    if (typeof s.expires !== "number" || s.expires < Date.now()) return;
    if (typeof s.layout !== "string" || window.matchMedia(s.layout).matches !== s.phone) return;
    const shown = document.createElement("ferry-snapshot");
    shown.setAttribute("inert", "");
    shown.setAttribute("aria-busy", "true");
    shown.dataset.account = account;
    const style = document.createElement("style");
    // Over the page rather than in its flow: what React renders beneath is laid out as usual
    // (the mailbox measures its list before it takes the snapshot's place).
    style.textContent =
      "ferry-snapshot{position:fixed;inset:0;z-index:2147483647;overflow:hidden;background-color:inherit}";
    const markup = document.createElement("div");
    markup.className = "contents";
    markup.innerHTML = s.html;
    shown.append(style, markup);
    document.currentScript.after(shown);
  } catch (_) {
    // storage blocked or a malformed snapshot: the page starts as it would without one
  }
})();
