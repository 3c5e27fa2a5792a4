/**
 * The app's hold on a message frame's document (same-origin, script-less): nothing in it may
 * navigate the frame, and the keys pressed in it still reach the app.
 *
 * Every link activation (click, Enter, modified or middle click, on `<a>` or `<area>`, HTML or
 * SVG) is cancelled and handed to `onLink` with the href as written and the text the reader
 * sees; form submission and dropping a link onto the message are cancelled. Key presses are
 * re-dispatched on `keyTarget` (the frame element), so the app's window-level shortcuts see
 * them as they would outside the frame; typing in an editable element is left alone, as is
 * Enter on a link (which activates it). Text selection and copy are untouched.
 */

export interface FrameGuardOptions {
  /** Where key presses are re-dispatched (they bubble from there to the app's window). */
  keyTarget: HTMLElement;
  onLink(href: string, text: string): void;
}

const XLINK = "http://www.w3.org/1999/xlink";

/** Attaches the guard to `doc`; returns the function that removes it. */
export function guardFrameDocument(doc: Document, options: FrameGuardOptions): () => void {
  const onClick = (e: MouseEvent) => {
    const link = linkOf(e.target);
    if (!link) return;
    e.preventDefault();
    if (e.type === "click" || e.button === 1) options.onLink(hrefOf(link), textOf(link));
  };
  const cancel = (e: Event) => e.preventDefault();
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const target = e.target as Node | null;
    const el = target?.nodeType === 1 ? (target as Element) : null;
    if (el && isEditable(el)) return;
    if ((e.key === "Enter" || e.key === " ") && el && (linkOf(el) || el.closest("summary"))) {
      return;
    }
    const copy = new KeyboardEvent(e.type, {
      key: e.key,
      code: e.code,
      location: e.location,
      repeat: e.repeat,
      shiftKey: e.shiftKey,
      ctrlKey: e.ctrlKey,
      altKey: e.altKey,
      metaKey: e.metaKey,
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    if (!options.keyTarget.dispatchEvent(copy)) e.preventDefault();
  };

  doc.addEventListener("click", onClick, true);
  doc.addEventListener("auxclick", onClick, true);
  doc.addEventListener("submit", cancel, true);
  doc.addEventListener("dragover", cancel, true);
  doc.addEventListener("drop", cancel, true);
  doc.addEventListener("keydown", onKey);
  return () => {
    doc.removeEventListener("click", onClick, true);
    doc.removeEventListener("auxclick", onClick, true);
    doc.removeEventListener("submit", cancel, true);
    doc.removeEventListener("dragover", cancel, true);
    doc.removeEventListener("drop", cancel, true);
    doc.removeEventListener("keydown", onKey);
  };
}

/**
 * Scrolls the element an in-page link names into view: the element with that id, else an
 * `<a name>`; the top of the message for "" or "top".
 */
export function scrollToFragment(doc: Document, fragment: string, frame: HTMLElement): void {
  const target =
    fragment === ""
      ? null
      : (doc.getElementById(fragment) ??
        doc.querySelector(`a[name="${CSS.escape(fragment)}"]`) ??
        null);
  if (target) target.scrollIntoView({ block: "start" });
  else if (fragment === "" || fragment.toLowerCase() === "top")
    frame.scrollIntoView({ block: "start" });
}

/** The link an event target is in: `<a>` or `<area>` with an href (HTML, or SVG's xlink:href). */
function linkOf(target: EventTarget | null): Element | null {
  if (!target || !(target as Node).nodeType) return null;
  const node = target as Node;
  const el = node.nodeType === 1 ? (node as Element) : node.parentElement;
  return el?.closest("a[*|href], area[*|href]") ?? null;
}

function hrefOf(link: Element): string {
  return link.getAttribute("href") ?? link.getAttributeNS(XLINK, "href") ?? "";
}

/** What the reader sees for a link: its text, or the alt text of its images or of an area. */
function textOf(link: Element): string {
  const alts = [...link.querySelectorAll("img[alt]")].map((img) => img.getAttribute("alt"));
  return [link.textContent ?? "", link.getAttribute("alt") ?? "", ...alts].join(" ").trim();
}

function isEditable(el: Element): boolean {
  if ((el as HTMLElement).isContentEditable) return true;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}
