// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { guardFrameDocument } from "./frame-guard";

function setup(html: string) {
  const doc = document.implementation.createHTMLDocument("message");
  doc.body.innerHTML = html;
  const keyTarget = document.createElement("iframe");
  document.body.append(keyTarget);
  const onLink = vi.fn();
  const unguard = guardFrameDocument(doc, { keyTarget, onLink });
  return { doc, keyTarget, onLink, unguard };
}

afterEach(() => {
  document.body.innerHTML = "";
});

function click(el: Element, init: MouseEventInit = {}, type = "click"): MouseEvent {
  const e = new MouseEvent(type, { bubbles: true, cancelable: true, ...init });
  el.dispatchEvent(e);
  return e;
}

function key(el: Element, k: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true, ...init });
  el.dispatchEvent(e);
  return e;
}

describe("guardFrameDocument: links", () => {
  it("cancels every link activation and reports the href as written, with its text", () => {
    const { doc, onLink } = setup(
      '<a href="#sec2"><span>Go to <b>section 2</b></span></a><map><area href="/rel" alt="Area text"></map>',
    );
    const e = click(doc.querySelector("b") as Element);
    expect(e.defaultPrevented).toBe(true);
    expect(onLink).toHaveBeenLastCalledWith("#sec2", "Go to section 2");
    expect(click(doc.querySelector("area") as Element).defaultPrevented).toBe(true);
    expect(onLink).toHaveBeenLastCalledWith("/rel", "Area text");
  });

  it("handles a middle click like a click, and cancels other buttons without opening", () => {
    const { doc, onLink } = setup('<a href="https://example.com/">site</a>');
    const link = doc.querySelector("a") as Element;
    expect(click(link, { button: 1 }, "auxclick").defaultPrevented).toBe(true);
    expect(onLink).toHaveBeenCalledTimes(1);
    expect(click(link, { button: 2 }, "auxclick").defaultPrevented).toBe(true);
    expect(onLink).toHaveBeenCalledTimes(1);
  });

  it("uses an image's alt text as the text of an image link", () => {
    const { doc, onLink } = setup('<a href="https://x.example/"><img alt="paypal.com"></a>');
    click(doc.querySelector("img") as Element);
    expect(onLink).toHaveBeenCalledWith("https://x.example/", "paypal.com");
  });

  it("leaves clicks elsewhere, and on anchors without href, alone", () => {
    const { doc, onLink } = setup('<p>text</p><a name="top">named</a>');
    expect(click(doc.querySelector("p") as Element).defaultPrevented).toBe(false);
    expect(click(doc.querySelector("a") as Element).defaultPrevented).toBe(false);
    expect(onLink).not.toHaveBeenCalled();
  });

  it("cancels form submission and dropping a link onto the message", () => {
    const { doc } = setup("<p>x</p>");
    for (const type of ["submit", "dragover", "drop"]) {
      const e = new Event(type, { bubbles: true, cancelable: true });
      doc.body.dispatchEvent(e);
      expect(e.defaultPrevented, type).toBe(true);
    }
  });

  it("stops guarding once removed", () => {
    const { doc, onLink, unguard } = setup('<a href="#a">a</a>');
    unguard();
    expect(click(doc.querySelector("a") as Element).defaultPrevented).toBe(false);
    expect(onLink).not.toHaveBeenCalled();
  });
});

describe("guardFrameDocument: keys", () => {
  it("re-dispatches keys on the frame element, and cancels them when the app handled them", () => {
    const { doc, keyTarget } = setup("<p>text</p>");
    const seen: string[] = [];
    keyTarget.addEventListener("keydown", (e) => {
      seen.push(`${e.shiftKey ? "Shift+" : ""}${e.key}`);
      if (e.key === "j") e.preventDefault();
    });
    expect(key(doc.body, "j").defaultPrevented).toBe(true);
    expect(key(doc.querySelector("p") as Element, "?", { shiftKey: true }).defaultPrevented).toBe(
      false,
    );
    expect(seen).toEqual(["j", "Shift+?"]);
  });

  it("the forwarded key reaches the app's window listener", () => {
    const { doc } = setup("<p>text</p>");
    const keys: string[] = [];
    const onWindow = (e: KeyboardEvent) => keys.push(e.key);
    window.addEventListener("keydown", onWindow);
    key(doc.body, "r");
    window.removeEventListener("keydown", onWindow);
    expect(keys).toEqual(["r"]);
  });

  it("does not forward typing in an editable element, or Enter and Space on a link", () => {
    const { doc, keyTarget } = setup('<div contenteditable="true">edit</div><a href="#x">x</a>');
    const onKey = vi.fn();
    keyTarget.addEventListener("keydown", onKey);
    const editable = doc.querySelector("div") as HTMLElement;
    // jsdom does not compute isContentEditable; the browser does.
    Object.defineProperty(editable, "isContentEditable", { value: true });
    key(editable, "j");
    key(doc.querySelector("a") as Element, "Enter");
    key(doc.querySelector("a") as Element, " ");
    expect(onKey).not.toHaveBeenCalled();
    key(doc.querySelector("a") as Element, "j");
    expect(onKey).toHaveBeenCalledTimes(1);
  });
});
