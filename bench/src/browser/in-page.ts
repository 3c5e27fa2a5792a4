/**
 * The benchmark's in-page helper, installed in every document before the app's scripts run
 * (context.addInitScript). It is plain JavaScript in a string: functions handed to
 * page.evaluate() are serialized with toString(), which breaks on the helpers tsx/esbuild
 * inject, and a string is also what runs, byte for byte.
 *
 * `__bench.watch(name, kind, arg)` waits for a condition on the page: a MutationObserver (and
 * CSS animation events) schedule checks in animation frames, so layout is read when the browser
 * lays out anyway, not forced mid-commit; the first frame in which the condition holds is
 * stamped with performance.now() into `__bench.results[name]` — the frame that paints it. Conditions go
 * by the roles and accessible names the app exposes (listbox "Messages", its options, the
 * reader's article), not by class names.
 *
 * Clicks, key presses and the first pointer-over of each element are stamped too
 * (event.timeStamp, the same clock), so "click → visible" and "key → visible" are measured
 * entirely in the page.
 *
 * `__bench.when(name, ms)` resolves with the stamp; it is what Node awaits, through
 * page.evaluate (a CDP evaluation, which the app's CSP allows, unlike waitForFunction's).
 *
 * A `rows` watch named "load.rows" starts with every document, for the warm (reload) figure.
 */
export const IN_PAGE_SCRIPT = String.raw`
(() => {
  if (window.__bench) return;
  const results = {};
  const clicks = [];
  const hovers = [];
  const keys = [];

  function listbox() {
    return document.querySelector('[role="listbox"][aria-label="Messages"]');
  }

  function optionsInView(list) {
    const box = list.getBoundingClientRect();
    const inView = [];
    for (const o of list.querySelectorAll('[role="option"]')) {
      const r = o.getBoundingClientRect();
      if (r.height === 0 || r.bottom <= box.top + 1 || r.top >= box.bottom - 1) continue;
      inView.push(o);
    }
    return { box, inView };
  }

  const conditions = {
    // Every option in the list's viewport is a loaded row (no placeholder), and there is one.
    rows(minScrollTop) {
      const list = listbox();
      if (!list || list.getAttribute("aria-busy") === "true") return null;
      if (typeof minScrollTop === "number" && list.scrollTop < minScrollTop) return null;
      const { box, inView } = optionsInView(list);
      if (box.height === 0 || inView.length === 0) return null;
      if (inView.some((o) => o.getAttribute("aria-busy") === "true")) return null;
      return {
        rows: inView.length,
        first: inView[0].getAttribute("aria-label"),
        scrollTop: list.scrollTop,
      };
    },
    // As rows, and the options in view are the flat list's head, one per message: option i is
    // the row of uids[i] (figure 1's flat list) with no message count (a conversation's). A
    // conversation view painted before the user's setting arrived does not count, unless its
    // rows in view are those very messages, each a conversation of one.
    flatRows(uids) {
      const shown = conditions.rows();
      if (!shown) return null;
      const { inView } = optionsInView(listbox());
      for (let i = 0; i < inView.length; i++) {
        if (i >= uids.length || inView[i].id !== "msg-" + uids[i]) return null;
        if (inView[i].querySelector('[data-testid="conversation-count"]')) return null;
      }
      return shown;
    },
    // A link of the folder pane named exactly so (e.g. "Archive, 3 unread").
    folder(name) {
      const nav = document.querySelector('nav[aria-label="Folders"]');
      if (!nav) return null;
      for (const a of nav.querySelectorAll("a")) {
        if (a.getAttribute("aria-label") === name && a.getBoundingClientRect().height > 0) {
          return { name };
        }
      }
      return null;
    },
    // A loaded option whose accessible name contains the token, in the list's viewport.
    row(token) {
      const list = listbox();
      if (!list) return null;
      for (const o of list.querySelectorAll('[role="option"]')) {
        const name = o.getAttribute("aria-label") || "";
        if (!name.includes(token) || o.getAttribute("aria-busy") === "true") continue;
        const box = list.getBoundingClientRect();
        const r = o.getBoundingClientRect();
        if (r.bottom > box.top && r.top < box.bottom) return { name };
      }
      return null;
    },
    // The reader shows what only message.header carries: its attachments list.
    readerHeaders() {
      for (const a of document.querySelectorAll("article")) {
        const s = a.querySelector("section[aria-label]");
        if (s && /^\d+ attachments?$/.test(s.getAttribute("aria-label") || "")) {
          return { section: s.getAttribute("aria-label") };
        }
      }
      return null;
    },
    // The reader shows the text part (a phrase of it).
    readerText(marker) {
      for (const a of document.querySelectorAll("article")) {
        if ((a.textContent || "").includes(marker)) return { marker };
      }
      return null;
    },
    // The reader's conversation stack is read: each marker is in the text of an expanded
    // message (the one shown in full, or one expanded in the stack; a collapsed line's
    // preview does not count), and every collapsed line names its sender (its row came).
    stack(markers) {
      for (const a of document.querySelectorAll("article")) {
        const s = a.querySelector('section[aria-label^="Conversation of "]');
        if (!s) continue;
        let text = (a.textContent || "").replace(s.textContent || "", "");
        for (const body of s.querySelectorAll("li > div")) text += body.textContent || "";
        if (!markers.every((m) => text.includes(m))) return null;
        const lines = s.querySelectorAll('li > button[aria-expanded="false"]');
        for (const b of lines) {
          const sender = b.querySelector("span");
          if (!sender || !(sender.textContent || "").trim()) return null;
        }
        return { lines: lines.length };
      }
      return null;
    },
  };

  // Checks in animation frames: one after each DOM mutation or CSS animation/transition event,
  // then every frame for SETTLE_MS after the last of them, so a row that slides in (a CSS
  // animation moves it into view without any further mutation) is caught in the first frame it
  // shows.
  const SETTLE_MS = 1500;
  const TRIGGERS = ["animationstart", "animationend", "transitionend", "scroll"];
  function watch(name, kind, arg) {
    delete results[name];
    const test = conditions[kind];
    let scheduled = false;
    let done = false;
    let lastTrigger = performance.now();
    const observer = new MutationObserver(trigger);
    function finish() {
      done = true;
      observer.disconnect();
      for (const t of TRIGGERS) document.removeEventListener(t, trigger, true);
    }
    function check() {
      scheduled = false;
      if (done) return;
      const detail = test(arg);
      if (detail) {
        results[name] = { at: performance.now(), detail };
        finish();
      } else if (performance.now() - lastTrigger < SETTLE_MS) {
        schedule();
      }
    }
    function schedule() {
      if (scheduled || done) return;
      scheduled = true;
      requestAnimationFrame(check);
    }
    function trigger() {
      lastTrigger = performance.now();
      schedule();
    }
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    for (const t of TRIGGERS) document.addEventListener(t, trigger, true);
    trigger();
  }

  // Scrolls the list so that row \`index\` is at its top, and watches for rows there. Returns the
  // stamp taken just before scrolling, the target scrollTop and the row height used.
  function jump(name, index) {
    const list = listbox();
    if (!list) throw new Error("no message list");
    const first = list.querySelector('[role="option"]');
    const rowHeight = first ? first.getBoundingClientRect().height : 76;
    const target = Math.min(index * rowHeight, list.scrollHeight - list.clientHeight);
    const at = performance.now();
    list.scrollTop = target;
    watch(name, "rows", target - rowHeight);
    return { at, target, rowHeight };
  }

  function labelOf(el) {
    const t = el && el.closest ? el.closest('[role="option"],button,a,[role="button"]') : null;
    if (!t) return "";
    return (t.getAttribute("aria-label") || t.textContent || "").trim().slice(0, 200);
  }
  document.addEventListener("click", (e) => clicks.push({ at: e.timeStamp, label: labelOf(e.target) }), true);
  document.addEventListener("pointerover", (e) => hovers.push({ at: e.timeStamp, label: labelOf(e.target) }), true);
  document.addEventListener("keydown", (e) => keys.push({ at: e.timeStamp, key: e.key }), true);

  // Resolves with results[name] once it is set (rejects after timeoutMs).
  function when(name, timeoutMs) {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const poll = () => {
        if (results[name]) resolve(results[name]);
        else if (performance.now() - started > timeoutMs) reject(new Error("timed out after " + timeoutMs + " ms waiting for " + name));
        else setTimeout(poll, 10);
      };
      poll();
    });
  }

  window.__bench = { results, clicks, hovers, keys, watch, jump, when };
  watch("load.rows", "rows");
})();
`;
