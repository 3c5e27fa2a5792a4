"use client";
/**
 * A message's HTML in a sandboxed frame: sanitized (lib/sanitize, loaded on demand; once loaded,
 * in the frame's first render), no allow-scripts, a CSP that loads nothing but the message's own
 * parts, and sized to its content, also as its folded quote (a `<details>`, lib/quote-fold) opens
 * and closes.
 * `allow-same-origin` lets this page read the frame's height and guard its document
 * (lib/frame-guard); with scripts off nothing inside can use that origin.
 *
 * Links never navigate the frame: in-page anchors scroll within the message, mailto opens the
 * composer, plain http(s) links open in a new tab, deceptive ones ask first (lib/links,
 * LinkDialog). Should the frame still end up on another document, the message is put back.
 */
import { partUrl, type TMessageRef } from "@ferry/protocol";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { recipient } from "@/lib/compose/addresses";
import { openComposer } from "@/lib/compose/store";
import { guardFrameDocument, scrollToFragment } from "@/lib/frame-guard";
import { t } from "@/lib/i18n";
import { linkAction } from "@/lib/links";
import type { SanitizedHtml } from "@/lib/sanitize";
import { LinkDialog, type LinkPrompt } from "./link-dialog";

interface HtmlFrameProps {
  html: string;
  msgRef: TMessageRef;
  /** Content-ID → part number, for cid: images. */
  cids: Map<string, string>;
  allowRemote: boolean;
  onBlocked(count: number): void;
}

const MAX_HEIGHT = 200_000;
/** Times a frame that navigated away is put back before it is left blank. */
const MAX_RESTORES = 3;

type Sanitizer = typeof import("@/lib/sanitize");
/** The sanitizer once loaded (asked for with the reader's code): a frame is then filled at once. */
let loadedSanitizer: Sanitizer | null = null;
if (typeof window !== "undefined") {
  void import("@/lib/sanitize").then(
    (module) => {
      loadedSanitizer = module;
    },
    () => undefined,
  );
}

/** Opens a web link in a new tab that can neither reach this page nor learn where it came from. */
function openInNewTab(url: URL): void {
  window.open(url.href, "_blank", "noopener,noreferrer");
}

export function HtmlFrame({ html, msgRef, cids, allowRemote, onBlocked }: HtmlFrameProps) {
  const [sanitizer, setSanitizer] = useState<Sanitizer | null>(loadedSanitizer);
  const [height, setHeight] = useState(48);
  const [prompt, setPrompt] = useState<LinkPrompt | null>(null);
  const frame = useRef<HTMLIFrameElement>(null);

  const onLink = useCallback((href: string, text: string) => {
    const action = linkAction(href, text);
    switch (action.kind) {
      case "anchor": {
        const el = frame.current;
        const d = el?.contentDocument;
        if (el && d) scrollToFragment(d, action.target, el);
        return;
      }
      case "open":
        openInNewTab(action.url);
        return;
      case "compose":
        openComposer({ kind: "new", to: action.to.map((a) => recipient("", a)) });
        return;
      case "confirm":
      case "refuse":
        setPrompt(action);
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  }, []);

  useEffect(() => {
    if (sanitizer) return;
    let live = true;
    void import("@/lib/sanitize").then((module) => {
      loadedSanitizer = module;
      if (live) setSanitizer(module);
    });
    return () => {
      live = false;
    };
  }, [sanitizer]);

  const doc = useMemo<SanitizedHtml | null>(
    () =>
      sanitizer
        ? sanitizer.sanitizeEmailHtml(html, {
            cid: (id) => {
              const part = cids.get(id) ?? cids.get(id.toLowerCase());
              return part ? partUrl(msgRef, part) : null;
            },
            allowRemote,
            origin: window.location.origin,
            foldLabel: t("reader.showTrimmed"),
          })
        : null,
    [sanitizer, html, msgRef, cids, allowRemote],
  );
  useEffect(() => {
    if (doc) onBlocked(doc.blocked);
  }, [doc, onBlocked]);

  // Size the frame to its document, and follow it as images load or the width changes. A
  // message wider than the pane (fixed-width newsletters on a phone) is zoomed out to fit.
  useEffect(() => {
    const el = frame.current;
    if (!el || !doc) return;
    let inner: Document | null = null;
    let unguard: (() => void) | null = null;
    let restores = 0;
    let lastWidth = -1;
    const measure = () => {
      const d = el.contentDocument;
      const root = d?.documentElement;
      if (!d || !root) return;
      // Zoomed sizes: the root's box and scroll height follow the zoom (body.scrollHeight doesn't).
      const h = Math.ceil(
        Math.max(
          root.getBoundingClientRect().height,
          root.scrollHeight,
          d.body ? d.body.getBoundingClientRect().height : 0,
        ),
      );
      setHeight((prev) => (Math.abs(prev - h) > 1 ? Math.min(h, MAX_HEIGHT) : prev));
    };
    const fit = () => {
      const root = el.contentDocument?.documentElement;
      if (!root) return;
      root.style.removeProperty("zoom");
      const available = el.clientWidth;
      const natural = root.scrollWidth;
      if (available > 0 && natural > available + 2) {
        root.style.setProperty("zoom", String(Math.max(0.25, available / natural)));
      }
      measure();
    };
    // A fold (lib/quote-fold) opened or closed: the frame takes its content's height again,
    // which may be less than the frame's own (that the root's scroll height never is).
    const onToggle = () => {
      const root = el.contentDocument?.documentElement;
      if (!root) return;
      el.style.height = `${Math.ceil(root.getBoundingClientRect().height)}px`;
      measure();
    };
    const inside = new ResizeObserver(measure);
    const outside = new ResizeObserver(() => {
      if (el.clientWidth !== lastWidth) {
        lastWidth = el.clientWidth;
        fit();
      }
    });
    const onLoad = () => {
      const d = el.contentDocument;
      // The frame's initial document: the message is on its way.
      if (d?.URL === "about:blank" && !unguard) return;
      if (d?.URL !== "about:srcdoc") {
        if (restores++ < MAX_RESTORES) el.srcdoc = doc.html;
        return;
      }
      inner?.removeEventListener("load", fit, true);
      inner?.removeEventListener("toggle", onToggle, true);
      unguard?.();
      unguard = guardFrameDocument(d, { keyTarget: el, onLink });
      inner = d;
      d.addEventListener("load", fit, true); // images inside, as they arrive
      d.addEventListener("toggle", onToggle, true);
      inside.disconnect();
      inside.observe(d.documentElement);
      if (d.body) inside.observe(d.body);
      lastWidth = el.clientWidth;
      fit();
    };
    el.addEventListener("load", onLoad);
    outside.observe(el);
    if (el.contentDocument?.readyState === "complete") onLoad();
    return () => {
      el.removeEventListener("load", onLoad);
      inner?.removeEventListener("load", fit, true);
      inner?.removeEventListener("toggle", onToggle, true);
      unguard?.();
      inside.disconnect();
      outside.disconnect();
    };
  }, [doc, onLink]);

  if (!doc) {
    return (
      <div
        className="h-40 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900"
        aria-busy="true"
      />
    );
  }
  return (
    <>
      <iframe
        ref={frame}
        title={t("reader.body")}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={doc.html}
        style={{ height }}
        className="block w-full rounded-lg border-0 bg-white"
      />
      <LinkDialog
        prompt={prompt}
        onOpen={(url) => {
          setPrompt(null);
          openInNewTab(url);
        }}
        onClose={() => setPrompt(null)}
      />
    </>
  );
}
