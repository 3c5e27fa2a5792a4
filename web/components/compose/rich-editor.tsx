"use client";
/**
 * The message body: a contentEditable textbox named "Message" with a small formatting toolbar
 * (bold, italic, bulleted and numbered lists, link) driven by `document.execCommand`. What
 * enters it is sanitized (the initial HTML, pasted HTML); images pasted or dropped on the body
 * are shown there and sent inline once uploaded, other such files become attachments. A resumed
 * draft's inline images are shown from the parts they were saved in, a draft that came back
 * (Undo, a failed send, one kept on this device) from the bytes this page keeps for it
 * (lib/compose/inline-images). The images are shown from blob: URLs, the editor's own freed when
 * it goes. The composer reads the HTML and its plain-text
 * rendering when it saves or sends.
 */
import {
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  type Ref,
  useEffect,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import {
  domToText,
  editorHtml,
  normalizeLink,
  sanitizeComposeHtml,
  signatureHtml,
} from "@/lib/compose/html";
import { inlineUploadId, ObjectUrls, splitInlineImages } from "@/lib/compose/inline-images";
import { t } from "@/lib/i18n";
import { BoldIcon, BulletListIcon, ItalicIcon, LinkIcon, NumberListIcon } from "./compose-icons";

export interface EditorHandle {
  /** The body as sanitized HTML. */
  html(): string;
  /** The body as plain text (the alternative part). */
  text(): string;
  /** True when the body holds no text besides the signature. */
  blank(): boolean;
  focus(where?: "start" | "end"): void;
  /** Puts `signature` in the signature block (removes the block when empty). */
  setSignature(signature: string): void;
  /**
   * Shows an uploaded image at the caret (or where it was pasted or dropped, or at the end), from
   * the local `image`; the message names it by `uploadId` as an inline part.
   */
  insertImage(uploadId: string, image: Blob, alt: string): void;
}

interface RichEditorProps {
  ref?: Ref<EditorHandle>;
  initialHtml: string;
  onChange(): void;
  onFiles(files: File[]): void;
  /** Images pasted or dropped into the body, to be uploaded and shown inline. */
  onImages(files: File[]): void;
  /** Inline images of the initial HTML: upload id → where its bytes can be fetched. */
  inlineImages?: Readonly<Record<string, string>>;
  /** Ctrl/⌘+Enter and other composer keys are handled by the composer. */
  onKeyDown?(e: KeyboardEvent<HTMLDivElement>): void;
  /** Where the editor's name comes from (the composer's hidden label). */
  label: string;
}

type Format = "bold" | "italic" | "insertUnorderedList" | "insertOrderedList";

/** The caret position under a drop point, where the images go. */
function rangeAtPoint(x: number, y: number): Range | null {
  if (typeof document.caretRangeFromPoint === "function") return document.caretRangeFromPoint(x, y);
  const pos = document.caretPositionFromPoint?.(x, y);
  if (!pos) return null;
  const range = document.createRange();
  range.setStart(pos.offsetNode, pos.offset);
  range.collapse(true);
  return range;
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const toolButton =
  "touch-target inline-flex items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-200/70 aria-pressed:bg-accent-100 aria-pressed:text-accent-700 md:min-h-8 md:min-w-8 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:aria-pressed:bg-accent-900 dark:aria-pressed:text-accent-100";

export function RichEditor({
  ref,
  initialHtml,
  onChange,
  onFiles,
  onImages,
  inlineImages,
  onKeyDown,
  label,
}: RichEditorProps) {
  const editorRef = useRef<HTMLDivElement>(null);
  const urls = useRef<ObjectUrls | null>(null);
  urls.current ??= new ObjectUrls();
  const savedRange = useRef<Range | null>(null);
  const pasteRange = useRef<Range | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [active, setActive] = useState<Record<Format, boolean>>({
    bold: false,
    italic: false,
    insertUnorderedList: false,
    insertOrderedList: false,
  });
  const [linkOpen, setLinkOpen] = useState(false);
  const [linkValue, setLinkValue] = useState("");
  const [linkError, setLinkError] = useState(false);
  const linkInputId = useId();

  // The initial body is set once (before the composer places the caret); React does not
  // manage the editor's children.
  const initial = useRef(initialHtml);
  const initialImages = useRef(inlineImages);
  useLayoutEffect(() => {
    const el = editorRef.current;
    if (!el) return;
    el.innerHTML = sanitizeComposeHtml(initial.current) || "<div><br></div>";
    const sources = initialImages.current ?? {};
    for (const img of el.querySelectorAll("img")) {
      const id = inlineUploadId(img.getAttribute("src") ?? "");
      const from = id === null ? undefined : sources[id];
      if (id === null || from === undefined) continue;
      img.dataset.ferryInline = id;
      // Bytes this page already has (a draft that came back): the page's own blob: URL.
      if (from.startsWith("blob:")) {
        img.src = from;
        continue;
      }
      void fetch(from, { credentials: "same-origin" })
        .then((res) => (res.ok ? res.blob() : null))
        .then((blob) => {
          if (blob && img.isConnected) img.src = urls.current?.create(blob) ?? "";
        })
        .catch(() => undefined);
    }
    try {
      document.execCommand("defaultParagraphSeparator", false, "div");
      document.execCommand("styleWithCSS", false, "false");
    } catch {
      // old engines: the defaults do
    }
  }, []);

  // Toolbar state follows the selection.
  useEffect(() => {
    const onSelection = () => {
      const el = editorRef.current;
      const sel = document.getSelection();
      if (!el || !sel || sel.rangeCount === 0 || !el.contains(sel.anchorNode)) return;
      const state = (cmd: Format) => {
        try {
          return document.queryCommandState(cmd);
        } catch {
          return false;
        }
      };
      setActive({
        bold: state("bold"),
        italic: state("italic"),
        insertUnorderedList: state("insertUnorderedList"),
        insertOrderedList: state("insertOrderedList"),
      });
    };
    document.addEventListener("selectionchange", onSelection);
    return () => document.removeEventListener("selectionchange", onSelection);
  }, []);

  // The images' blob: URLs go with the editor.
  useEffect(() => {
    if (urls.current?.closed) urls.current = new ObjectUrls();
    const own = urls.current;
    return () => own?.revokeAll();
  }, []);

  useImperativeHandle(
    ref,
    () => ({
      html: () => (editorRef.current ? sanitizeComposeHtml(editorHtml(editorRef.current)) : ""),
      text: () => {
        const el = editorRef.current;
        if (!el) return "";
        const doc = new DOMParser().parseFromString(
          `<body>${sanitizeComposeHtml(el.innerHTML)}</body>`,
          "text/html",
        );
        return domToText(doc.body);
      },
      blank: () => {
        const el = editorRef.current;
        if (!el) return true;
        const clone = el.cloneNode(true) as HTMLElement;
        for (const sig of clone.querySelectorAll("[data-ferry-signature]")) sig.remove();
        return (clone.textContent ?? "").trim() === "" && clone.querySelector("img") === null;
      },
      focus: (where = "start") => {
        const el = editorRef.current;
        if (!el) return;
        el.focus();
        const sel = document.getSelection();
        if (!sel) return;
        const range = document.createRange();
        range.selectNodeContents(el);
        range.collapse(where === "start");
        sel.removeAllRanges();
        sel.addRange(range);
      },
      setSignature: (signature: string) => {
        const el = editorRef.current;
        if (!el) return;
        const existing = el.querySelector("[data-ferry-signature]");
        if (signature.trim() === "") {
          existing?.remove();
          return;
        }
        const holder = document.createElement("div");
        holder.innerHTML = sanitizeComposeHtml(signatureHtml(signature));
        const block = holder.firstElementChild;
        if (!block) return;
        if (existing) existing.replaceWith(block);
        else {
          // after the first (empty) line, before any quote
          const first = el.firstElementChild;
          if (first?.nextSibling) el.insertBefore(block, first.nextSibling);
          else el.appendChild(block);
        }
      },
      insertImage: (uploadId, image, alt) => {
        const el = editorRef.current;
        if (!el || !urls.current) return;
        const img = document.createElement("img");
        img.src = urls.current.create(image);
        img.alt = alt;
        img.dataset.ferryInline = uploadId;
        const sel = document.getSelection();
        const current = sel && sel.rangeCount > 0 ? sel.getRangeAt(0) : null;
        let range = [current, pasteRange.current].find((r) => r && el.contains(r.startContainer));
        if (!range) {
          range = document.createRange();
          range.selectNodeContents(el);
          range.collapse(false);
        }
        range.deleteContents();
        range.insertNode(img);
        range.setStartAfter(img);
        range.collapse(true);
        pasteRange.current = range.cloneRange();
        if (sel && el.contains(document.activeElement)) {
          sel.removeAllRanges();
          sel.addRange(range);
        }
        onChangeRef.current();
      },
    }),
    [],
  );

  const exec = (cmd: Format) => {
    editorRef.current?.focus();
    document.execCommand(cmd);
    setActive((a) => ({ ...a, [cmd]: document.queryCommandState(cmd) }));
    onChange();
  };

  const openLink = () => {
    const el = editorRef.current;
    const sel = document.getSelection();
    savedRange.current =
      el && sel && sel.rangeCount > 0 && el.contains(sel.anchorNode)
        ? sel.getRangeAt(0).cloneRange()
        : null;
    const anchor = sel?.anchorNode?.parentElement?.closest("a");
    setLinkValue(anchor && el?.contains(anchor) ? (anchor.getAttribute("href") ?? "") : "");
    setLinkError(false);
    setLinkOpen(true);
  };

  const applyLink = (e: FormEvent) => {
    e.preventDefault();
    const href = normalizeLink(linkValue);
    if (!href) {
      setLinkError(true);
      return;
    }
    const el = editorRef.current;
    if (!el) return;
    el.focus();
    const sel = document.getSelection();
    const range = savedRange.current;
    if (sel && range) {
      sel.removeAllRanges();
      sel.addRange(range);
    } else if (sel) {
      const end = document.createRange();
      end.selectNodeContents(el);
      end.collapse(false);
      sel.removeAllRanges();
      sel.addRange(end);
    }
    if (!sel || sel.isCollapsed) {
      const shown = href.replace(/^mailto:/i, "");
      document.execCommand(
        "insertHTML",
        false,
        `<a href="${escapeHtml(href)}">${escapeHtml(shown)}</a>&nbsp;`,
      );
    } else {
      document.execCommand("createLink", false, href);
    }
    setLinkOpen(false);
    onChange();
  };

  const onPaste = (e: ClipboardEvent<HTMLDivElement>) => {
    const files = Array.from(e.clipboardData.files);
    if (files.length > 0) {
      e.preventDefault();
      const { images, others } = splitInlineImages(files);
      const sel = document.getSelection();
      pasteRange.current = sel && sel.rangeCount > 0 ? sel.getRangeAt(0).cloneRange() : null;
      if (images.length > 0) onImages(images);
      if (others.length > 0) onFiles(others);
      return;
    }
    const html = e.clipboardData.getData("text/html");
    if (html) {
      e.preventDefault();
      document.execCommand("insertHTML", false, sanitizeComposeHtml(html));
      onChange();
    }
    // plain text: the browser inserts it as text
  };

  // Images dropped on the body go in the body (the composer attaches the rest of a drop).
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    const { images, others } = splitInlineImages(Array.from(e.dataTransfer.files));
    if (images.length === 0) return;
    e.preventDefault();
    pasteRange.current = rangeAtPoint(e.clientX, e.clientY);
    onImages(images);
    if (others.length > 0) onFiles(others);
  };

  const tools: Array<{ cmd: Format; label: string; icon: typeof BoldIcon; keys?: string }> = [
    { cmd: "bold", label: t("compose.format.bold"), icon: BoldIcon, keys: "Ctrl+B" },
    { cmd: "italic", label: t("compose.format.italic"), icon: ItalicIcon, keys: "Ctrl+I" },
    { cmd: "insertUnorderedList", label: t("compose.format.bullets"), icon: BulletListIcon },
    { cmd: "insertOrderedList", label: t("compose.format.numbers"), icon: NumberListIcon },
  ];

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div
        role="toolbar"
        aria-label={t("compose.format.toolbar")}
        className="flex flex-wrap items-center gap-0.5 border-b border-zinc-200 px-2 py-1 dark:border-zinc-800"
      >
        {tools.map(({ cmd, label: name, icon: ToolIcon, keys }) => (
          <button
            key={cmd}
            type="button"
            aria-label={name}
            title={keys ? `${name} (${keys})` : name}
            aria-pressed={active[cmd]}
            // keep the selection in the editor
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => exec(cmd)}
            className={toolButton}
          >
            <ToolIcon className="size-4" />
          </button>
        ))}
        <button
          type="button"
          aria-label={t("compose.format.link")}
          title={`${t("compose.format.link")} (Ctrl+K)`}
          aria-expanded={linkOpen}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => (linkOpen ? setLinkOpen(false) : openLink())}
          className={toolButton}
        >
          <LinkIcon className="size-4" />
        </button>
        {linkOpen ? (
          <form onSubmit={applyLink} className="flex min-w-0 flex-1 items-center gap-1 pl-1">
            <label htmlFor={linkInputId} className="sr-only">
              {t("compose.format.linkAddress")}
            </label>
            <input
              id={linkInputId}
              // biome-ignore lint/a11y/noAutofocus: the user just asked for this field
              autoFocus
              type="url"
              inputMode="url"
              value={linkValue}
              placeholder={t("compose.format.linkPlaceholder")}
              aria-invalid={linkError || undefined}
              onChange={(e) => {
                setLinkValue(e.target.value);
                setLinkError(false);
              }}
              onKeyDown={(e) => {
                if (e.key === "Escape") {
                  e.preventDefault();
                  e.stopPropagation();
                  setLinkOpen(false);
                  editorRef.current?.focus();
                }
              }}
              className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-900"
            />
            <button
              type="submit"
              className="touch-target rounded-md px-2 text-sm font-medium text-accent-700 hover:bg-accent-50 md:min-h-8 dark:text-accent-200 dark:hover:bg-accent-900"
            >
              {t("compose.format.linkApply")}
            </button>
            {linkError ? (
              <span role="alert" className="text-xs text-red-700 dark:text-red-300">
                {t("compose.format.linkInvalid")}
              </span>
            ) : null}
          </form>
        ) : null}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a rich-text editor is a contentEditable textbox */}
      <div
        ref={editorRef}
        role="textbox"
        aria-multiline="true"
        aria-label={label}
        tabIndex={0}
        contentEditable
        suppressContentEditableWarning
        spellCheck
        onInput={onChange}
        onPaste={onPaste}
        onDrop={onDrop}
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
            e.preventDefault();
            openLink();
            return;
          }
          if (
            (e.ctrlKey || e.metaKey) &&
            (e.key.toLowerCase() === "b" || e.key.toLowerCase() === "i")
          ) {
            // the browser formats; the draft changed
            queueMicrotask(onChange);
          }
          onKeyDown?.(e);
        }}
        className="compose-body min-h-32 flex-1 overflow-y-auto px-4 py-3 text-[15px] leading-relaxed break-words outline-none [&_a]:text-accent-600 [&_a]:underline [&_blockquote]:my-2 [&_blockquote]:border-l-2 [&_blockquote]:border-zinc-300 [&_blockquote]:pl-3 [&_blockquote]:text-zinc-600 [&_img]:inline-block [&_img]:max-w-full [&_ol]:list-decimal [&_ol]:pl-6 [&_ul]:list-disc [&_ul]:pl-6 dark:[&_blockquote]:border-zinc-700 dark:[&_blockquote]:text-zinc-400"
      />
    </div>
  );
}
