import { htmlPart, message } from "../fixtures/mime";
import { deliver, expect, row, test, unique } from "../fixtures/test";

const EVIL = "evil.example.invalid";

/** Every way we know for HTML mail to run script or to load something remote. */
const HOSTILE = `<!DOCTYPE html>
<html><head>
<meta http-equiv="refresh" content="0;url=http://${EVIL}/refresh">
<base href="http://${EVIL}/">
<link rel="stylesheet" href="http://${EVIL}/style.css">
<link rel="prefetch" href="http://${EVIL}/prefetch">
<style>
@import url("http://${EVIL}/import.css");
@font-face { font-family: x; src: url(http://${EVIL}/font.woff); }
body { background: url(http://${EVIL}/body-bg.png); }
.hero { background-image: url('http://${EVIL}/hero.png'); }
.set { background-image: image-set("http://${EVIL}/set.png" 1x); }
</style>
<script>window.parent.__pwned = "script"; new Image().src = "http://${EVIL}/script-img";</script>
</head>
<body onload="window.parent.__pwned='onload'">
<h1>Totally normal message</h1>
<img alt="pixel" src="http://${EVIL}/pixel.png" onerror="window.parent.__pwned='onerror'">
<img alt="srcset" srcset="http://${EVIL}/srcset.png 2x">
<img alt="relative" src="/api/session">
<div class="hero" style="background:url(//${EVIL}/inline.png)">inline style</div>
<table background="http://${EVIL}/table.png"><tr><td background="http://${EVIL}/td.png">cell</td></tr></table>
<iframe src="http://${EVIL}/frame"></iframe>
<object data="http://${EVIL}/object"></object>
<embed src="http://${EVIL}/embed">
<form action="http://${EVIL}/form"><input name="q" value="x"><button>Send</button></form>
<a id="js" href="javascript:window.parent.__pwned='js-link'">a javascript link</a>
<a href="http://${EVIL}/page">a normal link</a>
<svg><script>window.parent.__pwned='svg'</script><image href="http://${EVIL}/svg.png"/></svg>
<math><mi xlink:href="javascript:alert(1)">m</mi></math>
<video poster="http://${EVIL}/poster.png" src="http://${EVIL}/v.mp4" autoplay></video>
<audio src="http://${EVIL}/a.mp3" autoplay></audio>
<p style="behavior:url(http://${EVIL}/x.htc)">behaviour</p>
<noscript><img src="http://${EVIL}/noscript.png"></noscript>
<template><img src="http://${EVIL}/template.png"></template>
</body></html>`;

test("a hostile HTML message: no script runs, nothing remote loads before consent", async ({
  mailPage: page,
  stack,
  account,
}) => {
  const subject = unique("Hostile");
  await deliver(
    stack,
    account.email,
    message({ from: "mallory@example.test", to: account.email, subject, body: htmlPart(HOSTILE) }),
  );

  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const popups: string[] = [];
  page.on("popup", (p) => popups.push(p.url()));

  await row(page, subject).click();
  const frame = page.locator('iframe[title="Message body"]');
  const body = page.frameLocator('iframe[title="Message body"]');
  await expect(body.getByRole("heading", { name: "Totally normal message" })).toBeVisible();
  await expect(body.getByRole("img", { name: "pixel" })).toBeVisible();

  // The frame can't run script, and nothing it was told to run did.
  const sandbox = ((await frame.getAttribute("sandbox")) ?? "").split(/\s+/);
  expect(sandbox).not.toContain("allow-scripts");
  expect(sandbox).not.toContain("allow-top-navigation");
  expect(sandbox).not.toContain("allow-forms");
  expect(
    await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned),
  ).toBeUndefined();
  // Its href is gone: it is not even a link any more.
  await expect(body.getByRole("link", { name: "a javascript link" })).toHaveCount(0);
  await body.getByText("a javascript link").click();
  expect(
    await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned),
  ).toBeUndefined();

  // What reached the frame: no script, handlers, frames, forms, objects, meta refresh or base.
  const srcdoc = (await frame.getAttribute("srcdoc")) ?? "";
  for (const bad of [
    "<script",
    "onerror",
    "onload",
    "<iframe",
    "<form",
    "<object",
    "<embed",
    "<base",
    "refresh",
    "javascript:",
    "<svg",
    "<video",
    "<audio",
    "<link",
  ]) {
    expect(srcdoc.toLowerCase(), bad).not.toContain(bad);
  }
  // The only remote URL left is the link, which loads nothing until clicked.
  const remoteUrls =
    srcdoc.match(new RegExp(`[^"'(\\s]*${EVIL.replaceAll(".", "\\.")}[^"')\\s]*`, "g")) ?? [];
  expect(remoteUrls).toEqual([`http://${EVIL}/page`]);

  // Nothing was requested from the remote host, or anything but the bridge itself.
  await expect(page.getByText("Remote content in this message is blocked")).toBeVisible();
  const origin = new URL(page.url()).origin;
  expect(requests.filter((u) => u.includes(EVIL))).toEqual([]);
  expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:"))).toEqual([]);
  expect(requests.filter((u) => u.includes("/api/session") && !u.endsWith("/api/session"))).toEqual(
    [],
  );
  expect(dialogs).toEqual([]);
  expect(popups).toEqual([]);

  // After consent, remote images go through the bridge's proxy, never straight to the host.
  await page.getByRole("button", { name: "Load remote content" }).click();
  await expect(body.getByRole("img", { name: "pixel" })).toHaveAttribute(
    "src",
    /^\/api\/proxy\?url=/,
  );
  expect(requests.filter((u) => u.includes(EVIL) && new URL(u).pathname !== "/api/proxy")).toEqual(
    [],
  );
  expect(
    await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned),
  ).toBeUndefined();
  expect(dialogs).toEqual([]);
});
