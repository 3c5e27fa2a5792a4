import { filePart, htmlPart, message, multipart, PDF, PNG, textPart } from "../fixtures/mime";
import { deliver, expect, reader, row, test, unique } from "../fixtures/test";

test.describe("the reader", () => {
  test("headers, then an HTML body in a sandboxed frame sized to its content, with cid: images", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const subject = unique("Team photo");
    const html = `<html><body><h1>Hello team</h1><p>Here is the photo:</p><img alt="photo" src="cid:photo@e2e" width="40" height="40"><div style="height:1200px">tall</div><p>The end.</p></body></html>`;
    await deliver(
      stack,
      account.email,
      message({
        from: '"Pat Sender" <pat@example.test>',
        to: account.email,
        subject,
        body: multipart("related", [
          htmlPart(html),
          filePart({
            type: "image/png",
            filename: "photo.png",
            data: PNG,
            inline: true,
            contentId: "photo@e2e",
          }),
        ]),
      }),
    );
    await row(page, subject).click();
    const article = reader(page, subject);
    await expect(article).toBeVisible();
    await expect(article.getByRole("heading", { name: subject })).toBeVisible();
    await expect(article).toContainText("Pat Sender <pat@example.test>");

    const frame = article.locator('iframe[title="Message body"]');
    await expect(frame).toBeVisible();
    const sandbox = (await frame.getAttribute("sandbox")) ?? "";
    expect(sandbox.split(/\s+/)).not.toContain("allow-scripts");
    const body = page.frameLocator('iframe[title="Message body"]');
    await expect(body.getByRole("heading", { name: "Hello team" })).toBeVisible();
    // Sized to its content: the frame is as tall as the message, no inner scrollbar.
    await expect.poll(async () => (await frame.boundingBox())?.height ?? 0).toBeGreaterThan(1200);
    // The cid: image comes from the message's own part.
    const img = body.getByRole("img", { name: "photo" });
    await expect(img).toHaveAttribute("src", /\/api\/parts\?.*part=/);
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);
    // It is an inline part shown in the body, not listed as an attachment.
    await expect(article.getByRole("link", { name: /^Download/ })).toHaveCount(0);
  });

  test("remote content stays blocked until allowed, then goes through the proxy", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const subject = unique("Newsletter");
    await deliver(
      stack,
      account.email,
      message({
        from: "news@example.test",
        to: account.email,
        subject,
        body: htmlPart(
          `<p>Big news</p><img alt="banner" src="https://images.example.invalid/banner.png"><p style="background-image:url(https://images.example.invalid/bg.png)">styled</p><a href="https://example.invalid/read">Read more</a>`,
        ),
      }),
    );
    const remote: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("example.invalid")) remote.push(r.url());
    });
    await row(page, subject).click();
    const body = page.frameLocator('iframe[title="Message body"]');
    await expect(body.getByText("Big news")).toBeVisible();
    await expect(page.getByText("Remote content in this message is blocked")).toBeVisible();
    await expect(body.getByRole("img", { name: "banner" })).not.toHaveAttribute("src", /./);
    expect(remote.filter((u) => !u.includes("/api/proxy"))).toEqual([]);

    // Links open in a new tab, without an opener or a referrer.
    const link = body.getByRole("link", { name: "Read more" });
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer");

    const proxied = page.waitForRequest((r) =>
      r.url().includes("/api/proxy?url=https%3A%2F%2Fimages.example.invalid"),
    );
    await page.getByRole("button", { name: "Load remote content" }).click();
    await proxied;
    await expect(body.getByRole("img", { name: "banner" })).toHaveAttribute(
      "src",
      /^\/api\/proxy\?url=/,
    );
    await expect(page.getByRole("button", { name: "Load remote content" })).toHaveCount(0);
    expect(remote.every((u) => new URL(u).pathname === "/api/proxy")).toBe(true);
  });

  test("plain text with safe links; attachments with download, preview and show original", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const subject = unique("Documents");
    await deliver(
      stack,
      account.email,
      message({
        from: '"Dana Docs" <dana@example.test>',
        to: account.email,
        subject,
        body: multipart("mixed", [
          textPart(
            "Hi,\n\nsee https://example.invalid/docs?id=1 and <b>not bold</b>.\n\njavascript:alert(1)\n",
          ),
          filePart({ type: "image/png", filename: "chart.png", data: PNG }),
          filePart({ type: "application/pdf", filename: "report.pdf", data: PDF }),
        ]),
      }),
    );
    await row(page, subject).click();
    const article = reader(page, subject);
    await expect(article.getByText("<b>not bold</b>", { exact: false })).toBeVisible();
    const link = article.getByRole("link", { name: "https://example.invalid/docs?id=1" });
    await expect(link).toHaveAttribute("href", "https://example.invalid/docs?id=1");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer");
    await expect(article.getByRole("link", { name: /javascript/ })).toHaveCount(0);

    await expect(article.getByText("2 attachments")).toBeVisible();
    await expect(article.getByText("chart.png")).toBeVisible();
    await expect(article.getByText(/image\/png · \d+ bytes/)).toBeVisible();
    const download = article.getByRole("link", { name: "Download report.pdf" });
    await expect(download).toHaveAttribute("href", /\/api\/parts\?.*download=1/);
    const res = await page.request.get((await download.getAttribute("href")) ?? "");
    expect(res.ok()).toBe(true);
    expect(res.headers()["content-disposition"]).toMatch(/attachment/);
    expect((await res.body()).subarray(0, 5).toString()).toBe("%PDF-");
    // The PDF preview opens in the browser's viewer: served inline, not as a download.
    const pdfPreview = article.getByRole("link", { name: "Open report.pdf in a new tab" });
    await expect(pdfPreview).toHaveAttribute("target", "_blank");
    const inline = await page.request.get((await pdfPreview.getAttribute("href")) ?? "");
    expect(inline.headers()["content-disposition"]).toMatch(/^inline/);
    expect(inline.headers()["content-type"]).toBe("application/pdf");

    await article.getByRole("button", { name: "Preview chart.png" }).click();
    const preview = article.getByRole("img", { name: "chart.png" });
    await expect.poll(() => preview.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);

    const original = article.getByRole("link", { name: "Show original" });
    await expect(original).toHaveAttribute("target", "_blank");
    const raw = await page.request.get((await original.getAttribute("href")) ?? "");
    expect(await raw.text()).toContain(`Subject: ${subject}`);
  });

  test("opening a message marks it read once it is shown", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const subject = unique("Unread one");
    await deliver(
      stack,
      account.email,
      message({ from: "a@example.test", to: account.email, subject, body: textPart("hi") }),
    );
    await expect(row(page, subject)).toHaveAccessibleName(/^unread, /);
    await row(page, subject).click();
    await expect(reader(page, subject)).toContainText("hi");
    if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();
    await expect(row(page, subject)).not.toHaveAccessibleName(/^unread, /);
  });
});
