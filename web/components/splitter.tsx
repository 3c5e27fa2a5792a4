"use client";
/**
 * A vertical splitter between two panes (WAI-ARIA window splitter): drag it with a pointer, or
 * focus it and use the arrow keys, Home and End.
 */
import { type KeyboardEvent, type PointerEvent, useRef } from "react";

export function Splitter(props: {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange(value: number): void;
  controls: string;
}) {
  const drag = useRef<{ x: number; start: number } | null>(null);
  const clamp = (v: number) => Math.round(Math.max(props.min, Math.min(props.max, v)));

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, start: props.value };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag.current) return;
    props.onChange(clamp(drag.current.start + e.clientX - drag.current.x));
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 64 : 16;
    let next: number | null = null;
    if (e.key === "ArrowLeft") next = props.value - step;
    else if (e.key === "ArrowRight") next = props.value + step;
    else if (e.key === "Home") next = props.min;
    else if (e.key === "End") next = props.max;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation();
    props.onChange(clamp(next));
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable window splitter has no native element
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={props.label}
      aria-controls={props.controls}
      aria-valuenow={props.value}
      aria-valuemin={props.min}
      aria-valuemax={props.max}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
      className="group relative z-10 -mx-1 w-2 shrink-0 cursor-col-resize touch-none select-none focus-visible:outline-none"
    >
      <div className="mx-auto h-full w-px bg-zinc-200 group-hover:w-0.5 group-hover:bg-accent-500 group-focus-visible:w-0.5 group-focus-visible:bg-accent-500 dark:bg-zinc-800" />
    </div>
  );
}
