/**
 * Files dragged onto an element: `dragging` while files are over it (for a drop hint), the
 * dropped files to `onFiles`. Drags of anything but files are left alone, and so is a drop an
 * element inside already took (the composer's body takes images).
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
      setDragging(false);
      if (e.defaultPrevented) return;
      e.preventDefault();
      onFiles(Array.from(e.dataTransfer.files));
    },
  };
}
