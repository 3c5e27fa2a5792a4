/**
 * The XSS corpora through the real reader in Chromium: the `<style>` re-serialisation bypass (in
 * Chromium's own CSSOM, which turns CSS escapes back into `<`) and a sample of DOMPurify's and
 * H5SC's vectors, several per message. For each message opened: no dialog, no script mark, no
 * request from the frame or to any origin but the bridge, the frame stays on about:srcdoc, and
 * its live document holds nothing that could run, load or navigate.
 */
import { xssVectors } from "@ferry/mail-server";
import type { Page, Request } from "@playwright/test";
import { message, type Part } from "../fixtures/mime";
import { deliver, expect, row, test, unique } from "../fixtures/test";

const EVIL = "https://evil.example.invalid";
/** What a vector that ran would set on the app's window (H5SC's alert placeholders become it). */
const MARK = "parent.__ferryXss=1";

/** The reported bypass and its relatives, written as CSS escapes that only a CSSOM decodes. */
const esc = (html: string) =>
  html.replaceAll("<", "\\3C ").replaceAll(">", "\\3E ").replaceAll("'", "\\27 ");
const STYLE_BYPASSES = [
  `<style>p.a::after{content:"\\3C /style\\3E \\3C img src=x onerror=alert(1)\\3E "}</style><p class="a">a</p>`,
  `<style>p.b::after{content:"${esc(`</style><meta http-equiv='refresh' content='0;url=${EVIL}/refresh'>`)}"}</style><p class="b">b</p>`,
  `<style>p.c::after{content:"${esc("</style><input type='password' name='p'>")}"}</style><p class="c">c</p>`,
  `<style>@media screen{p.d::after{content:"${esc(`</style><a href='${EVIL}/login'>Sign in again</a>`)}"}}</style><p class="d">d</p>`,
  `<style>a[title="${esc(`</style><img src='${EVIL}/px.png'><a href='/api/session'>session</a>`)}"]{color:red}</style><a>e</a>`,
  `<style>p.f{background:url("data:image/png,${esc("</style><img src=x onerror=alert(1)>")}")}</style><p class="f">f</p>`,
];

const PER_MESSAGE = 10;
/** Every third vector of both corpora: about 120, from every part of each list. */
function sample(): string[] {
  const all = xssVectors({
    js_alert: MARK,
    js_alert_2: MARK,
    js_alert_3: MARK,
    js_uri_alert: `javascript:${MARK}`,
    js_uri_alert_2: `javascript:${MARK}`,
    js_uri_alert_3: `javascript:${MARK}`,
  });
  return all.filter((_, i) => i % 3 === 0).map((v) => v.html);
}

function htmlBase64(html: string): Part {
  return {
    headers: ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64"],
    body: Buffer.from(html, "utf8").toString("base64").replace(/.{76}/g, "$&\r\n"),
  };
}

/**
 * Runs in the app page: what is wrong with the reader frame's live document (empty when safe).
 * The frame is same-origin (allow-same-origin), so the app's page can read it.
 */
function auditReaderFrame(): string[] {
  const el = document.querySelector<HTMLIFrameElement>('iframe[title="Message body"]');
  const doc = el?.contentDocument;
  if (!el || !doc) return ["no reader frame"];
  const problems: string[] = [];
  const href = el.contentWindow?.location.href;
  if (href !== "about:srcdoc") problems.push(`frame is at ${href}`);
  const bad =
    "script,iframe,frame,object,embed,applet,base,form,input,button,select,textarea,link,svg,math,audio,video";
  for (const node of doc.querySelectorAll(bad)) problems.push(`<${node.nodeName.toLowerCase()}>`);
  const metas = [...doc.querySelectorAll("meta")];
  if (metas.length !== 3 || metas.some((m) => m.parentElement !== doc.head)) {
    problems.push(`meta: ${metas.map((m) => m.outerHTML).join(" ")}`);
  }
  const loadable = (url: string) =>
    url.startsWith("/api/parts?") || url.toLowerCase().startsWith("data:image/");
  for (const node of doc.querySelectorAll("*")) {
    const tag = node.nodeName.toLowerCase();
    for (const { name, value } of [...node.attributes]) {
      if (name.startsWith("on")) problems.push(`<${tag} ${name}>`);
      if (["src", "background", "srcset", "poster", "data"].includes(name) && !loadable(value)) {
        problems.push(`<${tag} ${name}="${value}">`);
      }
    }
    const link = node.getAttribute("href");
    if (link === null) continue;
    if (tag !== "a" && tag !== "area") problems.push(`<${tag} href>`);
    else if (link.startsWith("#")) {
      if (node.hasAttribute("target")) problems.push(`<${tag} href="${link}" target>`);
    } else if (!/^(https?:\/\/|mailto:)/i.test(link)) problems.push(`<${tag} href="${link}">`);
    else if (node.getAttribute("target") !== "_blank")
      problems.push(`<${tag} href="${link}"> no tab`);
  }
  for (const sheet of doc.querySelectorAll("style")) {
    const css = sheet.textContent ?? "";
    if (css.includes("<")) problems.push("<style> holds <");
    for (const m of css.matchAll(/url\(\s*["']?([^"')]*)/gi)) {
      if (!loadable(m[1] ?? "")) problems.push(`<style> url(${m[1]})`);
    }
  }
  return problems;
}

interface Watch {
  dialogs: string[];
  requests: Request[];
  frameUrls: string[];
}

function watch(page: Page): Watch {
  const w: Watch = { dialogs: [], requests: [], frameUrls: [] };
  page.on("dialog", (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("request", (r) => w.requests.push(r));
  page.on("framenavigated", (f) => {
    if (f !== page.mainFrame()) w.frameUrls.push(f.url());
  });
  return w;
}

test.use({ seed: { inbox: 0 } });
test.setTimeout(300_000);

test("hostile HTML from the XSS corpora runs nothing, loads nothing and never moves the frame", async ({
  mailPage: page,
  stack,
  account,
  isPhone,
}) => {
  const origin = new URL(stack.url).origin;
  // Anything not for the bridge is refused before it leaves the browser, and recorded.
  const outside: string[] = [];
  await page.route(
    (url) => url.origin !== origin && url.protocol !== "data:",
    (route) => {
      outside.push(route.request().url());
      return route.abort();
    },
  );
  const w = watch(page);

  const vectors = sample();
  expect(vectors.length).toBeGreaterThanOrEqual(120);
  const batches: string[][] = [STYLE_BYPASSES];
  for (let i = 0; i < vectors.length; i += PER_MESSAGE) {
    batches.push(vectors.slice(i, i + PER_MESSAGE));
  }
  const subjects: string[] = [];
  for (const [n, batch] of batches.entries()) {
    const subject = unique(`Corpus batch ${n}`);
    subjects.push(subject);
    const html = `<h1 id="ferry-batch">${subject}</h1>\n${batch.map((v) => `<div>${v}</div>`).join("\n")}`;
    await deliver(
      stack,
      account.email,
      message({ from: "mallory@example.test", to: account.email, subject, body: htmlBase64(html) }),
    );
  }

  const frame = page.frameLocator('iframe[title="Message body"]');
  for (const subject of subjects) {
    await test.step(subject, async () => {
      const before = w.requests.length;
      await row(page, subject).click();
      await expect(frame.locator("h1#ferry-batch", { hasText: subject })).toBeAttached();
      expect(await page.evaluate(auditReaderFrame), subject).toEqual([]);
      const fromFrame = w.requests
        .slice(before)
        .filter((r) => r.frame() !== page.mainFrame())
        .map((r) => r.url());
      expect(fromFrame, subject).toEqual([]);
      // A phone shows one pane at a time: back to the list for the next message.
      if (isPhone) await page.getByRole("button", { name: "Back to messages" }).click();
    });
  }

  expect(w.dialogs).toEqual([]);
  expect(outside).toEqual([]);
  expect(w.requests.map((r) => r.url()).filter((u) => !u.startsWith(origin))).toEqual([]);
  expect(w.frameUrls.filter((u) => u !== "about:srcdoc")).toEqual([]);
  expect(
    await page.evaluate(() => (window as unknown as { __ferryXss?: number }).__ferryXss),
  ).toBeUndefined();
});
