import { inlineContentId } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { parseRecipients } from "./addresses";
import {
  type ComposeAttachmentItem,
  type ComposeFields,
  fitDraft,
  frameBytes,
  keptFiles,
  refuseFile,
  safeMimeType,
  sendBlockers,
  toDraft,
} from "./draft";
import { DEFAULT_UPLOAD_LIMITS, MAX_FRAME_BYTES } from "./limits";

const { file: MAX_FILE_BYTES, message: MAX_MESSAGE_BYTES } = DEFAULT_UPLOAD_LIMITS;

function fields(patch: Partial<ComposeFields> = {}): ComposeFields {
  return {
    from: { name: "", address: "me@example.org" },
    identityId: null,
    to: parseRecipients("you@example.org"),
    cc: [],
    bcc: [],
    subject: "Hi",
    attachments: [],
    inReplyTo: null,
    references: [],
    source: null,
    ...patch,
  };
}

function upload(
  size: number,
  status: "uploading" | "done" | "failed" = "done",
): ComposeAttachmentItem {
  return {
    kind: "upload",
    key: `k${size}${status}`,
    filename: "f.bin",
    size,
    type: "",
    status,
    progress: status === "done" ? 1 : 0,
    uploadId: status === "done" ? `u${size}` : null,
    error: null,
  };
}

describe("sendBlockers", () => {
  it("lets a plain message through", () => {
    expect(sendBlockers(fields())).toEqual([]);
  });

  it("names invalid recipients, else asks for one", () => {
    expect(sendBlockers(fields({ to: parseRecipients("x, you@example.org") }))).toEqual([
      { kind: "invalidRecipients", addresses: ["x"] },
    ]);
    expect(sendBlockers(fields({ to: [] }))).toEqual([{ kind: "noRecipients" }]);
  });

  it("refuses a subject with CR or LF", () => {
    expect(sendBlockers(fields({ subject: "a\r\nBcc: x@y.z" }))).toEqual([
      { kind: "subjectLineBreak" },
    ]);
  });

  it("waits for uploads, names failed ones, and checks the message total", () => {
    const big = Math.floor(MAX_MESSAGE_BYTES / 2) + 1;
    expect(
      sendBlockers(fields({ attachments: [upload(1, "uploading"), upload(2, "failed")] })).map(
        (b) => b.kind,
      ),
    ).toEqual(["uploading", "failedUploads"]);
    expect(sendBlockers(fields({ attachments: [upload(big), upload(big + 1)] }))).toEqual([
      { kind: "tooLarge", total: 2 * big + 1 },
    ]);
  });
});

describe("refuseFile", () => {
  it("checks the per-file and per-message limits before uploading", () => {
    expect(refuseFile(MAX_FILE_BYTES, [])).toBeNull();
    expect(refuseFile(MAX_FILE_BYTES + 1, [])).toEqual({ kind: "fileTooLarge" });
    expect(refuseFile(MAX_FILE_BYTES, [upload(MAX_FILE_BYTES)])).toEqual({
      kind: "messageTooLarge",
    });
    expect(refuseFile(10, [], { bytes: MAX_MESSAGE_BYTES - 5, files: 1 })).toEqual({
      kind: "messageTooLarge",
    });
    // a failed upload does not count
    expect(refuseFile(MAX_FILE_BYTES, [upload(MAX_FILE_BYTES, "failed")])).toBeNull();
  });
});

describe("toDraft", () => {
  it("carries finished uploads only, with a MIME type the protocol accepts", () => {
    const draft = toDraft(
      fields({ attachments: [upload(5), upload(6, "uploading"), upload(7, "failed")] }),
      "<b>x</b>",
      "x",
    );
    expect(draft.attachments).toEqual([
      { uploadId: "u5", filename: "f.bin", size: 5, type: "application/octet-stream" },
    ]);
    expect(draft.to).toEqual([{ name: "", address: "you@example.org" }]);
    expect(safeMimeType("Image/PNG; charset=x")).toBe("image/png");
    expect(safeMimeType("not a type")).toBe("application/octet-stream");
  });

  it("sends a pasted image inline while the body shows it, and not once it was deleted", () => {
    const image = { ...upload(8), filename: "image.png", type: "image/png", inline: true };
    const shown = `<p>see <img src="cid:${inlineContentId("u8")}" alt="image.png"></p>`;
    expect(toDraft(fields({ attachments: [image, upload(5)] }), shown, "see").attachments).toEqual([
      { uploadId: "u8", filename: "image.png", size: 8, type: "image/png", inline: true },
      { uploadId: "u5", filename: "f.bin", size: 5, type: "application/octet-stream" },
    ]);
    expect(
      toDraft(fields({ attachments: [image, upload(5)] }), "<p>see</p>", "see").attachments,
    ).toEqual([{ uploadId: "u5", filename: "f.bin", size: 5, type: "application/octet-stream" }]);
  });
});

describe("fitDraft", () => {
  it("drops the text alternative (the bridge derives it) before giving up", () => {
    const base = toDraft(fields(), "", "");
    const half = "x".repeat(Math.floor(MAX_FRAME_BYTES / 2));
    expect(fitDraft({ ...base, html: "<p>hi</p>", text: "hi" }, {})).toMatchObject({ text: "hi" });
    const fitted = fitDraft({ ...base, html: half, text: half }, {});
    expect(fitted?.text).toBe("");
    expect(frameBytes({ draft: fitted })).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(fitDraft({ ...base, html: half + half + half, text: "" }, {})).toBeNull();
  });
});

describe("a file kept on this device (attached offline)", () => {
  const kept: ComposeAttachmentItem = {
    kind: "upload",
    key: "k",
    filename: "report.bin",
    size: 10,
    type: "",
    status: "kept",
    progress: 0,
    uploadId: null,
    error: null,
    keptId: "file-1",
  };

  it("goes to the Outbox with the message offline, but must be uploaded before an online send", () => {
    expect(sendBlockers(fields({ attachments: [kept] }), true)).toEqual([]);
    expect(sendBlockers(fields({ attachments: [kept] }))).toEqual([{ kind: "uploading" }]);
  });

  it("is named by the Outbox entry, not by the draft, and counts toward the message's size", () => {
    expect(keptFiles([kept, upload(5)])).toEqual([
      { fileId: "file-1", filename: "report.bin", size: 10, type: "application/octet-stream" },
    ]);
    expect(toDraft(fields({ attachments: [kept] }), "<p>x</p>", "x").attachments).toEqual([]);
    const big = { ...kept, size: MAX_MESSAGE_BYTES - MAX_FILE_BYTES + 1 };
    expect(refuseFile(MAX_FILE_BYTES - 1, [big])).toBeNull();
    expect(refuseFile(MAX_FILE_BYTES, [big])).toEqual({ kind: "messageTooLarge" });
  });
});
