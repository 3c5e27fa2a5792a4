// @vitest-environment jsdom
/**
 * hooks/use-media-query with a fake window.matchMedia (jsdom has none): the hook follows the
 * query's changes as before, and however often its component renders, the page makes one
 * MediaQueryList per query and subscribes to it once.
 */
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { useMediaQuery } from "./use-media-query";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A MediaQueryList whose `matches` the test sets, counting what is asked of it. */
class FakeList extends EventTarget {
  matches = false;
  subscribed = 0;
  constructor(readonly media: string) {
    super();
  }
  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
    this.subscribed++;
    super.addEventListener(...args);
  }
  set(matches: boolean): void {
    this.matches = matches;
    this.dispatchEvent(new Event("change"));
  }
}

const made: FakeList[] = [];
window.matchMedia = (query: string) => {
  const list = new FakeList(query);
  made.push(list);
  return list as unknown as MediaQueryList;
};

const QUERY = "(max-width: 500px)";
let renders = 0;

function Probe({ tick }: { tick: number }) {
  renders++;
  const narrow = useMediaQuery(QUERY);
  return <p data-tick={tick}>{narrow ? "narrow" : "wide"}</p>;
}

const container = document.createElement("div");
const root = createRoot(container);

afterEach(() => {
  act(() => root.render(null));
});

describe("useMediaQuery", () => {
  it("follows the query and makes one MediaQueryList for it, however often it renders", () => {
    for (let tick = 0; tick < 20; tick++) act(() => root.render(<Probe tick={tick} />));
    expect(renders).toBeGreaterThanOrEqual(20);
    expect(container.textContent).toBe("wide");
    const lists = made.filter((l) => l.media === QUERY);
    expect(lists).toHaveLength(1);
    expect(lists[0]?.subscribed).toBe(1);

    act(() => lists[0]?.set(true));
    expect(container.textContent).toBe("narrow");
    act(() => lists[0]?.set(false));
    expect(container.textContent).toBe("wide");
    expect(made.filter((l) => l.media === QUERY)).toHaveLength(1);
  });
});
