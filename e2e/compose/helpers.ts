/**
 * Helpers for the compose specs: more fresh accounts, a second signed-in browser, the composer
 * on screen, what arrived in a mailbox as the IMAP server sees it (compose/imap-mail.ts,
 * re-exported), an inline PNG pasted and checked as it arrived, and a second bridge of other
 * settings (e.g. its SMTP server down).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBridge, createLogger, loadConfig, PROTOCOL_VERSION } from "@ferry/bridge";
import type { Browser, BrowserContext, Locator, Page, TestInfo } from "@playwright/test";
import type { MessageStructureObject } from "imapflow";
import { seedMailbox } from "../../packages/mail-server/src/seed/index";
import type { Account, Stack } from "../fixtures/stack";
import { WEB_DIR } from "../fixtures/stack";
import { expect, signIn } from "../fixtures/test";
import { partSha256, partText, sha256, waitForMessage } from "./imap-mail";

export {
  type Arrived,
  leafParts,
  listMailbox,
  type Part,
  partSha256,
  partText,
  sha256,
  waitForMessage,
  withImap,
} from "./imap-mail";

let counter = 0;

/** Another fresh account on the worker's mail server (a few messages in its inbox). */
export async function newAccount(
  stack: Stack,
  testInfo: TestInfo,
  label: string,
): Promise<Account> {
  counter++;
  const email = `${label}${testInfo.workerIndex}x${counter}x${randomBytes(3).toString("hex")}@example.test`;
  const password = randomBytes(9).toString("base64url");
  await stack.mail.addUser(email, password);
  await seedMailbox(stack.mail, email, { inbox: 3, anchor: new Date() });
  return { email, password };
}

/** A second browser, with the project's device settings, signed in as `account`. */
export async function secondBrowser(
  browser: Browser,
  like: Page,
  account: Account,
  opts: {
    isMobile: boolean;
    hasTouch: boolean;
    viewport: { width: number; height: number } | null;
    userAgent: string | undefined;
    baseURL?: string;
  },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    isMobile: opts.isMobile,
    hasTouch: opts.hasTouch,
    ...(opts.viewport ? { viewport: opts.viewport } : {}),
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    baseURL: opts.baseURL ?? new URL(like.url()).origin,
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  await signIn(page, account);
  return { context, page };
}

/**
 * How long a sent message waits for Undo, for the signed-in account: saved the way another tab
 * of the account saves it (`settings.save` on a socket of its own); returns once this page has
 * the bridge's `settings.changed` (its copy of the settings says so).
 */
export async function setUndoSeconds(page: Page, seconds: number): Promise<void> {
  await page.evaluate(
    async ({ s, version }) => {
      const ws = new WebSocket(
        `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws?v=${version}`,
      );
      try {
        await new Promise<void>((resolve, reject) => {
          ws.onerror = () => reject(new Error("settings socket failed"));
          ws.onmessage = (ev) => {
            const frame = JSON.parse(String(ev.data)) as { type: string; id?: string };
            if (frame.type === "hello") {
              ws.send(
                JSON.stringify({
                  type: "settings.save",
                  id: "e2e-undo",
                  change: { undoSeconds: s },
                }),
              );
            } else if (frame.id === "e2e-undo") {
              if (frame.type === "settings") resolve();
              else reject(new Error(`settings.save answered ${String(ev.data)}`));
            }
          };
        });
      } finally {
        ws.close();
      }
    },
    { s: seconds, version: PROTOCOL_VERSION },
  );
  await expect
    .poll(() =>
      page.evaluate(() => {
        const copy = JSON.parse(localStorage.getItem("ferry.settings") ?? "null") as {
          settings?: { undoSeconds?: number };
        } | null;
        return copy?.settings?.undoSeconds;
      }),
    )
    .toBe(seconds);
}

/** Nothing (a notice, say) lies over the middle of `target`: a click there reaches it. */
export async function expectUncovered(target: Locator): Promise<void> {
  const reached = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && el.contains(hit);
  });
  expect(reached, "a click on its middle reaches it").toBe(true);
}

export function composer(page: Page, name: "New message" | "Reply" | "Forward" = "New message") {
  return page.getByRole("dialog", { name });
}

/** Opens a new message with the Compose button (the floating one on a phone). */
export async function openCompose(page: Page) {
  await page.getByRole("button", { name: "Compose", exact: true }).click();
  const dialog = composer(page);
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Types recipients (each becomes a chip), a subject and a body. */
export async function fillMessage(
  dialog: ReturnType<typeof composer>,
  message: { to?: string[]; subject?: string; body?: string },
): Promise<void> {
  const to = dialog.getByLabel("To", { exact: true });
  for (const address of message.to ?? []) {
    await to.fill(address);
    await to.press("Enter");
    await expect(dialog.getByRole("button", { name: `Remove ${address}` })).toBeVisible();
  }
  if (message.subject !== undefined)
    await dialog.getByLabel("Subject", { exact: true }).fill(message.subject);
  if (message.body !== undefined) {
    const body = dialog.getByRole("textbox", { name: "Message", exact: true });
    await body.click();
    await body.pressSequentially(message.body);
  }
}

/** The "Sending…" notice with its Undo. */
export function sendingToast(page: Page) {
  return page.getByRole("status").filter({ hasText: "Sending…" });
}

// ---- an inline image ------------------------------------------------------------------------

/** A 2×1 PNG. */
export const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGP4z8DAwPAfAAcAAf9+CLHQAAAAAElFTkSuQmCC",
  "base64",
);

/** Every node of a structure, the node itself first. */
function structureNodes(node: MessageStructureObject | undefined): MessageStructureObject[] {
  if (!node) return [];
  return [node, ...(node.childNodes ?? []).flatMap(structureNodes)];
}

/** Pastes `PNG` into the composer's body as the clipboard's file `image.png`. */
export async function pastePng(body: Locator): Promise<void> {
  await body.evaluate((el, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "image.png", { type: "image/png" }));
    el.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, PNG.toString("base64"));
}

/** The image is on screen and its picture loaded (2 pixels wide, as `PNG` is). */
export async function expectPngShown(img: Locator): Promise<void> {
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(2);
}

/**
 * The message arrived with `PNG` as its one image: an inline part of a multipart/related whose
 * HTML shows it by Content-ID, and no second copy as an attachment.
 */
export async function expectInlinePng(
  stack: Stack,
  who: Account,
  mailbox: string,
  subject: string,
): Promise<void> {
  const arrived = await waitForMessage(stack, who, mailbox, subject, 30_000);
  const all = structureNodes(arrived.structure);
  const related = all.find((n) => n.type === "multipart/related");
  expect(related, "a multipart/related part").toBeDefined();
  const inRelated = structureNodes(related);
  const images = inRelated.filter((n) => n.type === "image/png");
  expect(images).toHaveLength(1);
  const image = images[0];
  const html = inRelated.find((n) => n.type === "text/html");
  expect(image?.disposition).toBe("inline");
  const cid = (image?.id ?? "").replace(/^<|>$/g, "");
  expect(cid).not.toBe("");
  expect(await partText(stack, who, mailbox, arrived.uid, html?.part ?? "")).toContain(
    `src="cid:${cid}"`,
  );
  expect(all.filter((n) => n.type === "image/png")).toHaveLength(1);
  const bytes = await partSha256(stack, who, mailbox, arrived.uid, image?.part ?? "");
  expect(bytes.sha256).toBe(sha256(PNG));
}

// ---- a bridge whose SMTP server is down -----------------------------------------------------

/** A port on loopback that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A second bridge on the worker's mail server, like the stack's, but pinned to an SMTP port
 * nothing listens on: every send fails with smtp_unavailable.
 */
export async function startBridgeWithSmtpDown(
  stack: Stack,
): Promise<{ url: string; close(): Promise<void> }> {
  return startSecondBridge(stack, { FERRY_SMTP_PORT: String(await closedPort()) });
}

/** A second bridge on the worker's mail server, like the stack's, with `env` on top. */
export async function startSecondBridge(
  stack: Stack,
  env: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "ferry-e2e-data-"));
  const loaded = loadConfig({
    FERRY_DATA_DIR: dataDir,
    FERRY_PORT: "0",
    FERRY_HOST: "127.0.0.1",
    FERRY_SESSION_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e!",
    FERRY_LOG_LEVEL: "silent",
    FERRY_WEB_DIR: WEB_DIR,
    FERRY_IMAP_HOST: stack.mail.host,
    FERRY_IMAP_PORT: String(stack.mail.imap.tlsPort),
    FERRY_IMAP_SECURITY: "tls",
    FERRY_SMTP_HOST: stack.mail.host,
    FERRY_SMTP_PORT: String(stack.mail.submissionPort),
    FERRY_SMTP_SECURITY: "starttls",
    FERRY_CA_FILE: stack.mail.caFile,
    ...env,
  });
  const config = { ...loaded, loginFailuresPerIp: 10_000 };
  const bridge = await createBridge(config, { log: createLogger(config.logLevel) });
  return {
    url: bridge.url,
    close: async () => {
      await bridge.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
