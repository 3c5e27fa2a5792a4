// @vitest-environment jsdom
/** The composer's sanitizer and images: only the message's own inline (cid:) parts survive. */
import { inlineContentId } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { editorHtml, sanitizeComposeHtml } from "./html";

const cid = inlineContentId("AbC_123-xyz");

describe("images in the composer's HTML", () => {
  it("keeps an inline image and its alt text", () => {
    expect(sanitizeComposeHtml(`<p>Look <img src="cid:${cid}" alt="shot.png"></p>`)).toBe(
      `<p>Look <img src="cid:${cid}" alt="shot.png"></p>`,
    );
  });

  it("drops every other image, whole, and its handlers", () => {
    for (const src of [
      "https://tracker.example/p.gif",
      "data:image/png;base64,AAAA",
      "blob:https://ferry.example/1",
      "cid:part1@someone.example",
      `cid:${cid}x`,
      "javascript:alert(1)",
    ]) {
      expect(sanitizeComposeHtml(`<p>a<img src="${src}" onerror="alert(1)">b</p>`), src).toBe(
        "<p>ab</p>",
      );
    }
    expect(sanitizeComposeHtml(`<img src="cid:${cid}" onerror="alert(1)">`)).toBe(
      `<img src="cid:${cid}">`,
    );
    expect(sanitizeComposeHtml('<a href="https://x.example" src="cid:x">x</a>')).toBe(
      '<a href="https://x.example">x</a>',
    );
  });

  it("turns the editor's pasted images into cid: references", () => {
    const root = document.createElement("div");
    root.innerHTML =
      '<div>Hi</div><img src="blob:http://localhost/5" alt="image.png" data-ferry-inline="AbC_123-xyz">';
    expect(sanitizeComposeHtml(editorHtml(root))).toBe(
      `<div>Hi</div><img src="cid:${cid}" alt="image.png">`,
    );
    // the editor itself is untouched
    expect(root.querySelector("img")?.getAttribute("src")).toBe("blob:http://localhost/5");
  });
});
