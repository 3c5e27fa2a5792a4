import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "../fixtures/mime";
import { expect, test, unique } from "../fixtures/test";
import {
  fillMessage,
  leafParts,
  newAccount,
  openCompose,
  partSha256,
  setUndoSeconds,
  sha256,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

const MB = 1024 * 1024;

test.describe("compose: attachments", () => {
  let dir = "";
  test.beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-e2e-attach-"));
  });
  test.afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("files picked, dropped and pasted arrive byte for byte, non-ASCII names intact; removed ones don't", async ({
    mailPage: page,
    stack,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 1);
    const subject = unique("Files for you");
    const dialog = await openCompose(page);
    await expect(dialog.getByText("Up to 25 MB per file and 35 MB per message.")).toBeHidden();
    await fillMessage(dialog, { to: [bob.email], subject, body: "Three files attached." });

    const report = randomBytes(70_000);
    const unwanted = Buffer.from("not this one\n");
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles([
      { name: "Prüfbericht – Größe ✓.pdf", mimeType: "application/pdf", buffer: report },
      { name: "unwanted.txt", mimeType: "text/plain", buffer: unwanted },
    ]);
    const attachments = dialog.getByRole("list", { name: /attachments?$/ });
    await expect(attachments.getByText("Prüfbericht – Größe ✓.pdf")).toBeVisible();
    await expect(dialog.getByText("Up to 25 MB per file and 35 MB per message.")).toBeVisible();
    await dialog.getByRole("button", { name: "Remove unwanted.txt" }).click();
    await expect(attachments.getByText("unwanted.txt")).toHaveCount(0);

    // Dropped on the composer.
    const dropped = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["dropped ✓ bytes\n"], "déposé.txt", { type: "text/plain" }));
      return dt;
    });
    await dialog.dispatchEvent("dragover", { dataTransfer: dropped });
    await dialog.dispatchEvent("drop", { dataTransfer: dropped });
    await expect(attachments.getByText("déposé.txt")).toBeVisible();

    // Pasted into the message (a screenshot, say).
    await dialog.getByRole("textbox", { name: "Message", exact: true }).evaluate(
      (el, png) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(png)], "image.png", { type: "image/png" }));
        el.dispatchEvent(
          new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }),
        );
      },
      [...PNG],
    );
    await expect(attachments.getByText("image.png")).toBeVisible();
    await expect(dialog.getByRole("progressbar")).toHaveCount(0);
    await expect(attachments.getByRole("listitem")).toHaveCount(3);

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 30_000,
    });

    const arrived = await waitForMessage(stack, bob, "INBOX", subject);
    const files = leafParts(arrived.structure).filter((p) => p.filename);
    expect(files.map((f) => f.filename).sort()).toEqual(
      ["Prüfbericht – Größe ✓.pdf", "déposé.txt", "image.png"].sort(),
    );
    const expected = new Map([
      ["Prüfbericht – Größe ✓.pdf", report],
      ["déposé.txt", Buffer.from("dropped ✓ bytes\n")],
      ["image.png", PNG],
    ]);
    for (const f of files) {
      const got = await partSha256(stack, bob, "INBOX", arrived.uid, f.part);
      const want = expected.get(f.filename ?? "");
      expect(want, f.filename ?? "").toBeDefined();
      expect(got.bytes).toBe(want?.length);
      expect(got.sha256).toBe(sha256(want ?? Buffer.alloc(0)));
    }
  });

  test("a 25 MB file uploads with progress and arrives byte for byte", async ({
    mailPage: page,
    stack,
    isMobile,
  }, testInfo) => {
    test.skip(isMobile, "the big file once is enough; the phone layout is covered above");
    test.setTimeout(300_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 1);
    // 25 MB exactly (the per-file limit), random so nothing compresses it away.
    const path = join(dir, "grand-fichier-été.bin");
    const file = await open(path, "w");
    const hash = createHash("sha256");
    for (let i = 0; i < 25; i++) {
      const chunk = randomBytes(MB);
      hash.update(chunk);
      await file.write(chunk);
    }
    await file.close();
    const digest = hash.digest("hex");

    const subject = unique("The big one");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "25 MB, as promised." });
    // A slower uplink (Chromium's network emulation), so the progress can be watched.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 8 * MB,
    });
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles(path);
    const item = dialog.getByRole("listitem").filter({ hasText: "grand-fichier-été.bin" });
    await expect(item).toBeVisible();
    await expect(item).toContainText("25 MB");
    const progress = item.getByRole("progressbar", { name: "Uploading grand-fichier-été.bin" });
    await expect(progress).toBeVisible();
    await expect
      .poll(async () => Number(await progress.getAttribute("aria-valuenow")), { timeout: 30_000 })
      .toBeGreaterThan(0);
    // The progress bar goes once the upload is done; nothing failed.
    await expect(dialog.getByRole("progressbar")).toHaveCount(0, { timeout: 60_000 });
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await expect(dialog.getByRole("alert")).toHaveCount(0);

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden({ timeout: 60_000 });
    await expect(page.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 120_000,
    });
    const arrived = await waitForMessage(stack, bob, "INBOX", subject, 60_000);
    const part = leafParts(arrived.structure).find((p) => p.filename === "grand-fichier-été.bin");
    expect(part).toBeDefined();
    const got = await partSha256(stack, bob, "INBOX", arrived.uid, part?.part ?? "2");
    expect(got.bytes).toBe(25 * MB);
    expect(got.sha256).toBe(digest);
  });

  test("a file over the limit is refused before anything is uploaded", async ({
    mailPage: page,
  }) => {
    const path = join(dir, `too-big-${randomBytes(3).toString("hex")}.iso`);
    await writeFile(path, "");
    await truncate(path, 25 * MB + 1); // sparse: costs no disk
    const uploads: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/uploads")) uploads.push(r.url());
    });
    const dialog = await openCompose(page);
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles(path);
    await expect(dialog.getByRole("alert")).toContainText(
      /“too-big-[0-9a-f]+\.iso” is larger than 25 MB and was not attached\./,
    );
    await expect(dialog.getByText("Up to 25 MB per file and 35 MB per message.")).toBeVisible();
    await expect(dialog.getByRole("listitem")).toHaveCount(0);
    expect(uploads).toEqual([]);
  });
});
