// @vitest-environment jsdom
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { useComposeBack } from "./use-compose-back";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const closed: number[] = [];

function Composer({ entryKey }: { entryKey: number }) {
  useComposeBack(entryKey, true, () => closed.push(entryKey));
  return <p>composer {entryKey}</p>;
}

const container = document.createElement("div");
const root = createRoot(container);

afterEach(() => {
  act(() => root.render(null));
  closed.length = 0;
});

/** Resolves after the tasks queued so far (a timer's, a history traversal's) have run. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Resolves once the history traversal in flight has fired its popstate. */
function popped(): Promise<void> {
  return new Promise((resolve) =>
    window.addEventListener("popstate", () => resolve(), { once: true }),
  );
}

function mark(): unknown {
  return (window.history.state as Record<string, unknown> | null)?.ferryComposer;
}

describe("useComposeBack", () => {
  it("Back closes the open composer", async () => {
    act(() => root.render(<Composer entryKey={1} />));
    expect(mark()).toBe(1);
    const pop = popped();
    window.history.back();
    await pop;
    expect(closed).toEqual([1]);
  });

  it("a composer that opens while the one before is taking its history entry off stays open", async () => {
    act(() => root.render(<Composer entryKey={2} />));
    expect(mark()).toBe(2);
    // The composer closes (e.g. its message was queued), and its entry starts coming off…
    act(() => root.render(null));
    const pop = popped();
    await nextTask();
    // …when another opens at once (the send failed: the message comes back in a composer).
    act(() => root.render(<Composer entryKey={3} />));
    await pop;
    await nextTask();
    expect(closed).toEqual([]);
    expect(mark()).toBe(3);
    // Back still closes it.
    const userBack = popped();
    window.history.back();
    await userBack;
    expect(closed).toEqual([3]);
  });
});
