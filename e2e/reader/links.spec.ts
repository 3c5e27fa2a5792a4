/**
 * Links and keys in the reader's message frame, as a user meets them: an in-page link scrolls
 * within the message (the frame never leaves it), the app's shortcuts still work after a click
 * in the message, a deceptive link shows its real destination before it opens, a plain link
 * opens a new tab without asking, mailto opens the composer, and attachment names show no bidi
 * controls. External sites are served by `context.route`: nothing leaves the machine.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { filePart, htmlPart, message, multipart, PDF, textPart } from "../fixtures/mime";
import { deliver, expect, reader, row, test, unique } from "../fixtures/test";

const FRAME = 'iframe[title="Message body"]';
const filler = (n: number) =>
  Array.from({ length: n }, (_, i) => `<p>Paragraph ${i + 1} of the newsletter.</p>`).join("");

async function open(page: Page, subject: string) {
  await row(page, subject).click();
  await expect(reader(page, subject)).toBeVisible();
  return page.frameLocator(FRAME);
}

/** The URL of the frame's document, read from the app's side (the frame runs no script). */
function frameUrl(page: Page): Promise<string> {
  return page.evaluate((sel) => {
    const f = document.querySelector<HTMLIFrameElement>(sel);
    try {
      return f?.contentDocument?.URL ?? "(no document: the frame left the app's origin)";
    } catch {
      return "(cross-origin)";
    }
  }, FRAME);
}

/** Serves a fake external site and records every tab that opens. */
async function fakeSite(context: BrowserContext, origin: string) {
  await context.route(`${origin}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: "<!doctype html><title>Outside</title><p>outside</p>",
    }),
  );
}

test("an in-page link scrolls within the message and the message stays", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subject = unique("Newsletter");
  const html = `<h1>Contents</h1>
<ul><li><a href="#sec2">Go to section two</a></li><li><a href="#old-anchor">Old-style anchor</a></li></ul>
${filler(80)}<h2 id="sec2">Section two</h2>${filler(80)}
<p><a name="old-anchor">Named anchor target</a></p>${filler(80)}`;
  await deliver(
    stack,
    account.email,
    message({ from: "news@example.test", to: account.email, subject, body: htmlPart(html) }),
  );
  const body = await open(page, subject);
  const section = body.getByRole("heading", { name: "Section two" });
  await expect(section).not.toBeInViewport();

  await body.getByRole("link", { name: "Go to section two" }).click();
  await expect(section).toBeInViewport();
  expect(await frameUrl(page)).toBe("about:srcdoc");
  await expect(body.getByRole("heading", { name: "Contents" })).toBeAttached();

  // Enter on a focused link and a middle click do the same, and never navigate the frame.
  await body.getByRole("heading", { name: "Contents" }).scrollIntoViewIfNeeded();
  await body.getByRole("link", { name: "Old-style anchor" }).focus();
  await page.keyboard.press("Enter");
  await expect(body.getByText("Named anchor target")).toBeInViewport();
  await body.getByRole("heading", { name: "Contents" }).scrollIntoViewIfNeeded();
  await body.getByRole("link", { name: "Go to section two" }).click({ button: "middle" });
  await expect(section).toBeInViewport();
  expect(await frameUrl(page)).toBe("about:srcdoc");
  expect(page.context().pages()).toHaveLength(1);

  // Should the frame be sent elsewhere all the same, the message is put back.
  await fakeSite(page.context(), "https://elsewhere.example.net");
  const left = page.waitForEvent(
    "framenavigated",
    (f) => f !== page.mainFrame() && f.url() !== "about:srcdoc",
  );
  await page.evaluate((sel) => {
    const f = document.querySelector<HTMLIFrameElement>(sel);
    if (f?.contentWindow) f.contentWindow.location.href = "https://elsewhere.example.net/";
  }, FRAME);
  await left;
  await expect(body.getByRole("heading", { name: "Contents" })).toBeVisible();
  await expect.poll(() => frameUrl(page)).toBe("about:srcdoc");
});

test("after a click in the message, the app's shortcut keys still work", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subject = unique("Keys");
  const html = "<p>Some words to click on and to select.</p>";
  await deliver(
    stack,
    account.email,
    message({ from: "ann@example.test", to: account.email, subject, body: htmlPart(html) }),
  );
  const body = await open(page, subject);
  await body.getByText("Some words to click on").click();
  await page.keyboard.press("r");
  const reply = page.getByRole("dialog", { name: "Reply" });
  await expect(reply).toBeVisible();
  await expect(reply.getByLabel("Subject", { exact: true })).toHaveValue(`Re: ${subject}`);
  await reply.getByRole("button", { name: "Discard draft" }).click();
  await expect(reply).toBeHidden();

  // Selecting text in the message still works, and ? opens the shortcuts from there.
  await body.getByText("Some words to click on").click({ clickCount: 3 });
  expect(
    await page.evaluate(
      (sel) =>
        document.querySelector<HTMLIFrameElement>(sel)?.contentWindow?.getSelection()?.toString(),
      FRAME,
    ),
  ).toContain("Some words to click on and to select.");
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
});

test("a deceptive link shows its real destination and opens only when asked", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subject = unique("Your account");
  const html = `<p>Please confirm your details at
<a href="https://login.evil.example.net/paypal?session=1">https://www.paypal.com/signin</a>.</p>`;
  await deliver(
    stack,
    account.email,
    message({ from: "service@example.test", to: account.email, subject, body: htmlPart(html) }),
  );
  const context = page.context();
  await fakeSite(context, "https://login.evil.example.net");
  const body = await open(page, subject);
  const link = body.getByRole("link", { name: "https://www.paypal.com/signin" });
  const dialog = page.getByRole("dialog", { name: "Check this link before you open it" });

  await link.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Its text shows");
  await expect(dialog).toContainText("paypal.com");
  await expect(dialog.getByTestId("link-host")).toHaveText("login.evil.example.net");
  await expect(dialog.getByTestId("link-destination")).toHaveText(
    "https://login.evil.example.net/paypal?session=1",
  );
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect(context.pages()).toHaveLength(1);

  await link.click();
  await expect(dialog).toBeVisible();
  const popup = context.waitForEvent("page");
  await dialog.getByRole("button", { name: "Open link" }).click();
  const tab = await popup;
  await tab.waitForURL("https://login.evil.example.net/paypal?session=1");
  await expect(tab.getByText("outside")).toBeVisible();
  expect(await tab.evaluate(() => [window.opener === null, document.referrer])).toEqual([true, ""]);
  await expect(dialog).toBeHidden();
  expect(await frameUrl(page)).toBe("about:srcdoc");
});

test("a plain link opens a new tab without asking; a mailto link opens the composer", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subject = unique("Sale");
  const html = `<p><a href="https://shop.example.org/sale?id=7">See the sale</a></p>
<p><a href="mailto:orders@shop.example.org?subject=Order">Write to us</a></p>`;
  await deliver(
    stack,
    account.email,
    message({ from: "shop@example.test", to: account.email, subject, body: htmlPart(html) }),
  );
  const context = page.context();
  await fakeSite(context, "https://shop.example.org");
  const body = await open(page, subject);

  const popup = context.waitForEvent("page");
  await body.getByRole("link", { name: "See the sale" }).click();
  const tab = await popup;
  await tab.waitForURL("https://shop.example.org/sale?id=7");
  await expect(
    page.getByRole("dialog", { name: "Check this link before you open it" }),
  ).toHaveCount(0);
  await tab.close();

  await body.getByRole("link", { name: "Write to us" }).click();
  const compose = page.getByRole("dialog", { name: "New message" });
  await expect(compose).toBeVisible();
  await expect(
    compose.getByRole("button", { name: "Remove orders@shop.example.org" }),
  ).toBeVisible();
  expect(context.pages()).toHaveLength(1);
  expect(await frameUrl(page)).toBe("about:srcdoc");
});

test("an attachment named with a right-to-left override shows no bidi control", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subject = unique("Invoice");
  const attachment = filePart({ type: "application/pdf", filename: "x", data: PDF });
  // RFC 2231: the name as a hostile sender writes it, U+202E included.
  attachment.headers = attachment.headers.map((h) =>
    h
      .replace('name="x"', "name*=UTF-8''invoice%E2%80%AEfdp.exe")
      .replace('filename="x"', "filename*=UTF-8''invoice%E2%80%AEfdp.exe"),
  );
  await deliver(
    stack,
    account.email,
    message({
      from: "billing@example.test",
      to: account.email,
      subject,
      body: multipart("mixed", [textPart("Your invoice is attached."), attachment]),
    }),
  );
  await open(page, subject);
  const list = reader(page, subject).getByRole("region", { name: "1 attachment" });
  await expect(list).toContainText("invoicefdp.exe");
  expect(await list.textContent()).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
  const download = list.getByRole("link", { name: "Download invoicefdp.exe" });
  await expect(download).toHaveAttribute("download", "invoicefdp.exe");
});
