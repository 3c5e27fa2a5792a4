"use client";
/**
 * A message's HTML in a sandboxed frame: sanitized (lib/sanitize, loaded on demand), no
 * allow-scripts, a CSP that loads nothing but the message's own parts, and sized to its content.
 * `allow-same-origin` lets this page read the frame's height; with scripts off nothing inside
 * can use that origin.
 */
import { partUrl, type TMessageRef } from "@ferry/protocol";
import { useEffect, useRef, useState } from "react";
import { t } from "@/lib/i18n";
import type { SanitizedHtml } from "@/lib/sanitize";

interface HtmlFrameProps {
  html: string;
  msgRef: TMessageRef;
  /** Content-ID → part number, for cid: images. */
  cids: Map<string, string>;
  allowRemote: boolean;
  onBlocked(count: number): void;
}

const MAX_HEIGHT = 200_000;

export function HtmlFrame({ html, msgRef, cids, allowRemote, onBlocked }: HtmlFrameProps) {
  const [doc, setDoc] = useState<SanitizedHtml | null>(null);
  const [height, setHeight] = useState(48);
  const frame = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    let live = true;
    void import("@/lib/sanitize").then(({ sanitizeEmailHtml }) => {
      if (!live) return;
      const result = sanitizeEmailHtml(html, {
        cid: (id) => {
          const part = cids.get(id) ?? cids.get(id.toLowerCase());
          return part ? partUrl(msgRef, part) : null;
        },
        allowRemote,
        origin: window.location.origin,
      });
      setDoc(result);
      onBlocked(result.blocked);
    });
    return () => {
      live = false;
    };
  }, [html, msgRef, cids, allowRemote, onBlocked]);

  // Size the frame to its document, and follow it as images load or the width changes. A
  // message wider than the pane (fixed-width newsletters on a phone) is zoomed out to fit.
  useEffect(() => {
    const el = frame.current;
    if (!el || !doc) return;
    let inner: Document | null = null;
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
    const inside = new ResizeObserver(measure);
    const outside = new ResizeObserver(() => {
      if (el.clientWidth !== lastWidth) {
        lastWidth = el.clientWidth;
        fit();
      }
    });
    const onLoad = () => {
      const d = el.contentDocument;
      if (!d) return;
      inner?.removeEventListener("load", fit, true);
      inner = d;
      d.addEventListener("load", fit, true); // images inside, as they arrive
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
      inside.disconnect();
      outside.disconnect();
    };
  }, [doc]);

  if (!doc) {
    return (
      <div
        className="h-40 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900"
        aria-busy="true"
      />
    );
  }
  return (
    <iframe
      ref={frame}
      title={t("reader.body")}
      sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
      referrerPolicy="no-referrer"
      srcDoc={doc.html}
      style={{ height }}
      className="block w-full rounded-lg border-0 bg-white"
    />
  );
}
