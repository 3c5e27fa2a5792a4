"use client";
/**
 * A small popup menu (WAI-ARIA menu pattern): opened from a button or at a point (context
 * menu), arrow keys move between items, Escape or a click outside closes it and focus returns.
 * Choosing an item returns the focus to the menu's button too, before the item acts (a dialog
 * or another menu it opens then takes it, and gives it back there when it closes).
 */
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from "react";

export interface MenuItem {
  label: string;
  onSelect(): void;
  disabled?: boolean;
  icon?: ReactNode;
  /** Accessible name when it differs from the label. */
  ariaLabel?: string;
}

interface MenuPopupProps {
  items: MenuItem[];
  label: string;
  onClose(): void;
  /** Viewport coordinates for a context menu; otherwise placed under `anchor`. */
  at?: { x: number; y: number };
  anchor?: HTMLElement | null;
}

export function MenuPopup({ items, label, onClose, at, anchor }: MenuPopupProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    let left: number;
    let top: number;
    if (at) {
      left = at.x;
      top = at.y;
    } else if (anchor) {
      const r = anchor.getBoundingClientRect();
      left = r.left;
      top = r.bottom + 4;
    } else {
      left = 8;
      top = 8;
    }
    left = Math.max(8, Math.min(left, window.innerWidth - w - 8));
    if (top + h > window.innerHeight - 8)
      top = Math.max(8, top - h - (anchor && !at ? anchor.offsetHeight + 8 : 0));
    setPos({ left, top });
    el.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
  }, [at, anchor]);

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const onScroll = () => onClose();
    document.addEventListener("mousedown", onDown, true);
    window.addEventListener("resize", onScroll);
    return () => {
      document.removeEventListener("mousedown", onDown, true);
      window.removeEventListener("resize", onScroll);
    };
  }, [onClose]);

  // The menu leaves the page with the focus in it: without this the focus would drop to the
  // page's body, and a keyboard user would start again from the top.
  const choose = (item: MenuItem) => {
    onClose();
    anchor?.focus();
    item.onSelect();
  };

  const move = (delta: number | "first" | "last") => {
    const all = Array.from(
      ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ??
        [],
    );
    if (all.length === 0) return;
    const i = all.indexOf(document.activeElement as HTMLElement);
    const next =
      delta === "first"
        ? 0
        : delta === "last"
          ? all.length - 1
          : (i + delta + all.length) % all.length;
    all[next]?.focus();
  };

  return (
    <div
      ref={ref}
      role="menu"
      aria-label={label}
      tabIndex={-1}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === "ArrowDown") {
          e.preventDefault();
          move(1);
        } else if (e.key === "ArrowUp") {
          e.preventDefault();
          move(-1);
        } else if (e.key === "Home") {
          e.preventDefault();
          move("first");
        } else if (e.key === "End") {
          e.preventDefault();
          move("last");
        } else if (e.key === "Escape" || e.key === "Tab") {
          e.preventDefault();
          onClose();
          anchor?.focus();
        }
      }}
      style={{ left: pos?.left ?? -9999, top: pos?.top ?? -9999 }}
      className="fixed z-50 max-h-[70vh] min-w-48 overflow-y-auto rounded-xl border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      {items.map((item) => (
        <div
          key={item.label}
          role="menuitem"
          tabIndex={-1}
          aria-disabled={item.disabled || undefined}
          aria-label={item.ariaLabel}
          onClick={() => {
            if (!item.disabled) choose(item);
          }}
          onKeyDown={(e) => {
            if ((e.key === "Enter" || e.key === " ") && !item.disabled) {
              e.preventDefault();
              choose(item);
            }
          }}
          className="touch-target flex cursor-default items-center gap-3 px-4 py-2 text-sm outline-none hover:bg-zinc-100 focus:bg-zinc-100 aria-disabled:opacity-50 md:min-h-0 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800"
        >
          {item.icon}
          <span className="truncate">{item.label}</span>
        </div>
      ))}
    </div>
  );
}

/** A button that opens a menu under itself. */
export function MenuButton(props: {
  label: string;
  items: () => MenuItem[];
  disabled?: boolean;
  className?: string;
  children: ReactNode;
  title?: string;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={props.label}
        title={props.title ?? props.label}
        disabled={props.disabled}
        onClick={() => setOpen((o) => !o)}
        className={props.className}
      >
        {props.children}
      </button>
      {open ? (
        <MenuPopup
          items={props.items()}
          label={props.label}
          anchor={button.current}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}
