/**
 * A message row's swipe on a phone: a horizontal drag past a third of the row's width archives
 * (left) or deletes (right) once the row has slid out; a shorter one springs back, and a
 * mostly vertical one is left to scrolling. The click that ends a swipe is swallowed.
 */
import { type PointerEvent, useRef, useState } from "react";

const SWIPE_THRESHOLD = 0.35;

export function useRowSwipe(swipeEnabled: boolean, onSwipe: (kind: "archive" | "delete") => void) {
  const [dx, setDx] = useState(0);
  const [leaving, setLeaving] = useState<"left" | "right" | null>(null);
  const gesture = useRef<{
    id: number;
    x: number;
    y: number;
    mode: "pending" | "swipe" | "scroll";
    width: number;
  } | null>(null);
  const suppressClick = useRef(false);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!swipeEnabled || e.button !== 0) return;
    gesture.current = {
      id: e.pointerId,
      x: e.clientX,
      y: e.clientY,
      mode: "pending",
      width: e.currentTarget.offsetWidth || 1,
    };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const g = gesture.current;
    if (!g || g.id !== e.pointerId) return;
    const mx = e.clientX - g.x;
    const my = e.clientY - g.y;
    if (g.mode === "pending") {
      if (Math.abs(mx) > 10 && Math.abs(mx) > Math.abs(my) * 1.5) {
        g.mode = "swipe";
        e.currentTarget.setPointerCapture(e.pointerId);
      } else if (Math.abs(my) > 10) {
        g.mode = "scroll";
      }
    }
    if (g.mode === "swipe") setDx(mx);
  };
  const endGesture = (e: PointerEvent<HTMLDivElement>, cancelled: boolean) => {
    const g = gesture.current;
    if (!g || g.id !== e.pointerId) return;
    gesture.current = null;
    if (g.mode !== "swipe") return;
    suppressClick.current = true;
    const mx = e.clientX - g.x;
    if (!cancelled && Math.abs(mx) > g.width * SWIPE_THRESHOLD) {
      const kind = mx < 0 ? "archive" : "delete";
      setLeaving(mx < 0 ? "left" : "right");
      setDx(mx < 0 ? -g.width : g.width);
      setTimeout(() => onSwipe(kind), 160);
    } else {
      setDx(0);
    }
  };
  return { dx, leaving, gesture, suppressClick, onPointerDown, onPointerMove, endGesture };
}
