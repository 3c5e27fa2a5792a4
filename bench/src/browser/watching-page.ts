/**
 * A signed-in page that watches for events the bench causes (a delivery, a filing), for the
 * figures that time an event against the floor and the bridge on this process's clock
 * (figures 2, 9 and 12). It owns what each of them did alike: open the page (openWatchingPage),
 * arm a watch before the event, read the page's stamp and move it onto nowMs()'s scale (page
 * clock → bench clock, with the offset clockOffset measured), and, the first time the page fails
 * to show an event, save it (saveFailure), keep the error and stop watching. Without a browser,
 * or after a failure, every call is a no-op and `error` says why.
 */
import type { Browser, Page } from "playwright-core";
import { progress } from "../progress";
import type { Account } from "../stack/mail";
import {
  openWatchingPage,
  saveFailure,
  signOutContext,
  stamp,
  type WatchingPage,
  watch,
} from "./browser";

export class EventWatchingPage {
  private page: Page | null;
  private lastError: unknown;

  private constructor(
    private readonly watching: WatchingPage,
    private readonly baseURL: string,
    private readonly failureDir: string,
    private readonly name: string,
  ) {
    this.page = watching.page;
    this.lastError = watching.error;
  }

  /** Signs `user` in on a fresh page showing its first rows; `name` names saved failures. */
  static async open(
    browser: Browser | null,
    baseURL: string,
    user: Account,
    failureDir: string,
    name: string,
  ): Promise<EventWatchingPage> {
    const watching = await openWatchingPage(browser, baseURL, user, failureDir, `${name}-sign-in`);
    const page = new EventWatchingPage(watching, baseURL, failureDir, name);
    if (watching.page) {
      const { offset, rtt } = watching.clock;
      progress(
        `${name}: page clock offset ${offset.toFixed(2)} ms (round trip ${rtt.toFixed(2)} ms)`,
      );
    }
    return page;
  }

  /** Why the page shows nothing (no browser, a failed sign-in, an event it did not show). */
  get error(): unknown {
    return this.lastError;
  }

  /** Arms the in-page watch `event` (see in-page.ts) before the event happens. */
  async watch(event: string, kind: string, arg?: unknown): Promise<void> {
    if (this.page) await watch(this.page, event, kind, arg);
  }

  /**
   * Milliseconds from `t0` (nowMs() scale) to the frame that showed `event`, or null when the
   * page is gone or did not show it within `timeoutMs` (then saved, and watched no more).
   */
  async seenAfter(event: string, t0: number, timeoutMs: number): Promise<number | null> {
    if (!this.page) return null;
    const { offset, origin } = this.watching.clock;
    try {
      const seen = await stamp(this.page, event, timeoutMs);
      return origin + seen.at - offset - t0;
    } catch (err) {
      this.lastError = err;
      const saved = await saveFailure(this.page, this.failureDir, this.name);
      progress(
        `${this.name}: the page did not show ${event}: ${(err as Error).message}` +
          (saved ? ` (page saved: ${saved}.png/.txt)` : ""),
      );
      this.page = null;
      return null;
    }
  }

  /** Signs the page's session out and closes its context. */
  async close(): Promise<void> {
    const { context } = this.watching;
    if (!context) return;
    await signOutContext(context, this.baseURL).catch(() => undefined);
    await context.close();
  }
}
