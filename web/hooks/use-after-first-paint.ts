/**
 * Whether the component's first render has been painted: false in that render, true from a task
 * after the next frame (or after FALLBACK_MS where no frame comes, as in a hidden tab). The
 * mailbox renders what is not needed to show its rows (dialogs, the quota, banners) from then on,
 * so the first frame after a sign-in holds only the panes and the rows.
 */
import { useEffect, useState } from "react";

const FALLBACK_MS = 100;

export function useAfterFirstPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (painted) return;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      setPainted(true);
    };
    // A task queued from the frame's callback runs once that frame has been painted.
    const frame = requestAnimationFrame(() => setTimeout(finish, 0));
    const fallback = setTimeout(finish, FALLBACK_MS);
    return () => {
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(fallback);
    };
  }, [painted]);
  return painted;
}
