/**
 * Headless Chromium through playwright-core (Debian's binary: Playwright cannot download one
 * here), a fresh context per cold measurement, and the page-side stamps of in-page.ts read back.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { onCleanup } from "../cleanup";
import { nowMs } from "../progress";
import type { Account } from "../stack/mail";
import { IN_PAGE_SCRIPT } from "./in-page";

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Desktop viewport of the e2e tests: about ten rows of the list are on screen. */
export const VIEWPORT = { width: 1280, height: 800 };

export async function launchBrowser(executablePath: string): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup({ name: "chromium", close: () => browser.close() });
  return browser;
}

/**
 * Runs `fn` under a Chromium performance trace written to `file` (open it in DevTools'
 * Performance panel), or plainly when `file` is null. Traced runs are never counted: tracing
 * slows the page down.
 */
export async function traced<T>(
  browser: Browser,
  page: Page,
  file: string | null,
  fn: () => Promise<T>,
): Promise<T> {
  if (file === null) return fn();
  mkdirSync(dirname(file), { recursive: true });
  await browser.startTracing(page, { path: file, screenshots: true });
  try {
    return await fn();
  } finally {
    await browser.stopTracing();
  }
}

/** A new context (no cookies, no IndexedDB): a first visit. */
export async function coldContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    viewport: VIEWPORT,
    locale: "en-US",
    timezoneId: "UTC",
  });
  await context.addInitScript({ content: IN_PAGE_SCRIPT });
  return context;
}

/**
 * Runs `fn` with a page of a fresh context (see coldContext) and closes the context after. When
 * `fn` fails, the page's screenshot and visible text are saved to `failureDir` first, and the
 * error names them.
 */
export async function withColdPage<T>(
  browser: Browser,
  baseURL: string,
  failureDir: string,
  name: string,
  fn: (page: Page, context: BrowserContext) => Promise<T>,
): Promise<T> {
  const context = await coldContext(browser, baseURL);
  try {
    const page = await context.newPage();
    try {
      return await fn(page, context);
    } catch (err) {
      const saved = await saveFailure(page, failureDir, name);
      if (saved && err instanceof Error)
        err.message = `${err.message} (page saved: ${saved}.png/.txt)`;
      throw err;
    }
  } finally {
    await context.close();
  }
}

/** Saves the page's screenshot and visible text as `<dir>/<name>-<time>.png/.txt`; returns that base. */
export async function saveFailure(page: Page, dir: string, name: string): Promise<string | null> {
  try {
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `${name}-${Date.now()}`);
    await page.screenshot({ path: `${base}.png`, timeout: 5000 });
    const text = (await page.evaluate("document.body ? document.body.innerText : ''")) as string;
    writeFileSync(`${base}.txt`, `${page.url()}\n\n${text}\n`);
    return base;
  } catch {
    return null;
  }
}

export interface Stamp<D = Record<string, unknown>> {
  /** performance.now() in the page. */
  at: number;
  detail: D;
}

/** Waits for `__bench.results[name]` and returns it. */
export async function stamp<D = Record<string, unknown>>(
  page: Page,
  name: string,
  timeoutMs = 30_000,
): Promise<Stamp<D>> {
  return (await page.evaluate(
    `window.__bench.when(${JSON.stringify(name)}, ${timeoutMs})`,
  )) as Stamp<D>;
}

export function watch(page: Page, name: string, kind: string, arg?: unknown): Promise<void> {
  return page.evaluate(
    `window.__bench.watch(${JSON.stringify(name)}, ${JSON.stringify(kind)}, ${JSON.stringify(arg ?? null)})`,
  );
}

/** The last click stamp whose target's label contains `label`. */
export async function clickStamp(page: Page, label: string): Promise<number> {
  const clicks = (await page.evaluate("window.__bench.clicks")) as { at: number; label: string }[];
  const found = clicks.filter((c) => c.label.includes(label)).pop();
  if (!found) throw new Error(`no click on "${label}" was seen in the page`);
  return found.at;
}

/** The last keydown stamp of `key` (e.g. "o"). */
export async function keyStamp(page: Page, key: string): Promise<number> {
  const keys = (await page.evaluate("window.__bench.keys")) as { at: number; key: string }[];
  const found = keys.filter((k) => k.key === key).pop();
  if (!found) throw new Error(`no keydown of "${key}" was seen in the page`);
  return found.at;
}

/** The first pointer-over stamp whose target's label contains `label`, if any. */
export async function hoverStamp(page: Page, label: string): Promise<number | null> {
  const hovers = (await page.evaluate("window.__bench.hovers")) as { at: number; label: string }[];
  return hovers.find((c) => c.label.includes(label))?.at ?? null;
}

/**
 * The page clock against this process's: page epoch ms − node epoch ms, from the round trip
 * with the smallest delay among a few. Page stamps minus this are on nowMs()'s scale.
 */
export async function clockOffset(
  page: Page,
): Promise<{ offset: number; rtt: number; origin: number }> {
  let best = { offset: 0, rtt: Number.POSITIVE_INFINITY, origin: 0 };
  for (let i = 0; i < 7; i++) {
    const n0 = nowMs();
    const [origin, now] = (await page.evaluate("[performance.timeOrigin, performance.now()]")) as [
      number,
      number,
    ];
    const n1 = nowMs();
    if (n1 - n0 < best.rtt) best = { offset: origin + now - (n0 + n1) / 2, rtt: n1 - n0, origin };
  }
  return best;
}

/** Fills the sign-in form by its labels and clicks "Sign in". */
/**
 * Waits for what the sign-in page does while a person types (a few seconds at least): its
 * requests are over, and one idle callback after the app's own has run (the app fetches the
 * mailbox's code and makes its formatters when idle).
 */
export async function settleSignInPage(page: Page): Promise<void> {
  await page.getByLabel("Email address", { exact: true }).waitFor();
  await page.waitForLoadState("networkidle");
  await page.evaluate(
    "new Promise((resolve) => requestIdleCallback(() => requestIdleCallback(resolve)))",
  );
}

export async function signInThroughForm(page: Page, user: Account): Promise<void> {
  await page.getByLabel("Email address", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** A page signed in on a fresh context and showing its first rows, with its clock read. */
export interface WatchingPage {
  context: BrowserContext | null;
  /** Null when there is no browser or the sign-in failed (`error` then says why). */
  page: Page | null;
  clock: { offset: number; rtt: number; origin: number };
  error: unknown;
}

/**
 * Opens a fresh context (see coldContext), signs `user` in through the form, waits for the first
 * rows and reads the page clock (clockOffset). A failed sign-in saves the page as
 * `<failureName>` and leaves `page` null; the context is still the caller's to close.
 */
export async function openWatchingPage(
  browser: Browser | null,
  baseURL: string,
  user: Account,
  failureDir: string,
  failureName: string,
): Promise<WatchingPage> {
  const clock = { offset: 0, rtt: 0, origin: 0 };
  if (!browser) {
    return { context: null, page: null, clock, error: new Error("the web app is not built") };
  }
  const context = await coldContext(browser, baseURL);
  let page: Page | null = null;
  try {
    page = await context.newPage();
    await page.goto("/");
    await signInThroughForm(page, user);
    await stamp(page, "load.rows");
    return { context, page, clock: await clockOffset(page), error: null };
  } catch (err) {
    if (page) await saveFailure(page, failureDir, failureName);
    return { context, page: null, clock, error: err };
  }
}

/** Signs the context's session out (DELETE /api/session with the context's cookie). */
export async function signOutContext(context: BrowserContext, baseURL: string): Promise<void> {
  await context.request.delete(`${baseURL}/api/session`, { headers: { origin: baseURL } });
}
