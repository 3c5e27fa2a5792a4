/**
 * Files dragged onto an element: `dragging` while files are over it (for a drop hint), the
 * dropped files to `onFiles`. Drags of anything but files are left alone.
 */
import { type DragEvent, useState } from "react";

function hasFiles(e: DragEvent<HTMLElement>): boolean {
  return Array.from(e.dataTransfer.types).includes("Files");
}

export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  return {
    dragging,
    onDragOver(e: DragEvent<HTMLElement>) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      if (!dragging) setDragging(true);
    },
    onDragLeave(e: DragEvent<HTMLElement>) {
      if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget))
        setDragging(false);
    },
    onDrop(e: DragEvent<HTMLElement>) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      onFiles(Array.from(e.dataTransfer.files));
    },
  };
}
