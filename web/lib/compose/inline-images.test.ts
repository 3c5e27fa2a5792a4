/** Images in the composer's body: what goes inline, which upload a cid: names, blob: URLs freed. */
import { inlineContentId } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import {
  inlineImageBytes,
  inlineImageSources,
  inlineUploadId,
  inlineUploadIds,
  ObjectUrls,
  rememberInlineImage,
  splitInlineImages,
} from "./inline-images";

function fakeUrls() {
  const live = new Set<string>();
  let n = 0;
  return {
    live,
    createObjectURL: () => {
      const url = `blob:test/${++n}`;
      live.add(url);
      return url;
    },
    revokeObjectURL: (url: string) => {
      live.delete(url);
    },
  };
}

describe("inline images", () => {
  it("sends dropped or pasted pictures inline and other files as attachments", () => {
    const png = new File(["x"], "a.png", { type: "image/png" });
    const jpeg = new File(["x"], "b.jpg", { type: "image/jpeg" });
    const svg = new File(["<svg/>"], "c.svg", { type: "image/svg+xml" });
    const pdf = new File(["%PDF"], "d.pdf", { type: "application/pdf" });
    const { images, others } = splitInlineImages([png, svg, jpeg, pdf]);
    expect(images.map((f) => f.name)).toEqual(["a.png", "b.jpg"]);
    expect(others.map((f) => f.name)).toEqual(["c.svg", "d.pdf"]);
  });

  it("names the upload of the message's own inline parts only", () => {
    expect(inlineUploadId(`cid:${inlineContentId("AbC_1-2")}`)).toBe("AbC_1-2");
    expect(inlineUploadId("cid:part1@someone.example")).toBeNull();
    expect(inlineUploadId(`cid:a/b${inlineContentId("")}`)).toBeNull();
    expect(inlineUploadId("blob:http://localhost/1")).toBeNull();
  });

  it("frees every blob: URL when the composer closes, and any made after at once", () => {
    const api = fakeUrls();
    const urls = new ObjectUrls(api);
    urls.create(new Blob(["1"]));
    urls.create(new Blob(["2"]));
    expect(api.live.size).toBe(2);
    urls.revokeAll();
    expect(api.live.size).toBe(0);
    expect(urls.size).toBe(0);
    // an upload that finishes after the composer closed
    urls.create(new Blob(["3"]));
    expect(api.live.size).toBe(0);
  });
});

describe("inline images' bytes, for a draft that comes back", () => {
  it("are found by the upload ids of the draft's inline attachments", async () => {
    rememberInlineImage("img-1", new Blob(["png bytes"], { type: "image/png" }));
    const ids = inlineUploadIds([
      { uploadId: "img-1", filename: "a.png", size: 9, type: "image/png", inline: true },
      { uploadId: "doc-1", filename: "b.pdf", size: 3, type: "application/pdf" },
      { uploadId: "img-2", filename: "c.png", size: 3, type: "image/png", inline: true },
    ]);
    expect(ids).toEqual(["img-1", "img-2"]);
    const bytes = inlineImageBytes(ids);
    expect(Object.keys(bytes)).toEqual(["img-1"]);
    expect(await bytes["img-1"]?.text()).toBe("png bytes");
    const sources = inlineImageSources(ids);
    expect(Object.keys(sources)).toEqual(["img-1"]);
    expect(sources["img-1"]).toMatch(/^blob:/);
    expect(inlineImageSources(ids)).toEqual(sources);
  });
});
