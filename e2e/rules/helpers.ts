/**
 * Helpers for the rules specs: a folder of the test account made over IMAP, the scripts on the
 * account's ManageSieve server as the server itself reports them (the bridge's own ManageSieve
 * client, trusting the fixture's CA), and a second bridge with rules turned off
 * (FERRY_SIEVE_PORT=0).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBridge, createLogger, loadConfig } from "@ferry/bridge";
import type { Page } from "@playwright/test";
import { SieveClient } from "../../bridge/src/sieve/client";
import { withImap } from "../compose/helpers";
import type { Account, Stack } from "../fixtures/stack";
import { WEB_DIR } from "../fixtures/stack";
import { folders } from "../fixtures/test";

/** The folder's link in the folder pane (named "Receipts" or "Receipts, 2 unread"). */
export function folderLink(page: Page, name: string) {
  return folders(page).getByRole("link", { name: new RegExp(`^${name}(,|$)`) });
}

export async function createFolder(stack: Stack, account: Account, path: string): Promise<void> {
  await withImap(stack, account, async (client) => {
    await client.mailboxCreate(path);
    await client.mailboxSubscribe(path);
  });
}

async function withSieve<T>(
  stack: Stack,
  account: Account,
  fn: (client: SieveClient) => Promise<T>,
): Promise<T> {
  const client = await SieveClient.open(
    { host: stack.mail.sieve.host, port: stack.mail.sieve.port },
    { user: account.email, password: account.password },
    { ca: stack.mail.ca, timeoutMs: 10_000 },
  );
  try {
    return await fn(client);
  } finally {
    await client.logout();
  }
}

/** Stores a script and makes it the active one, as another client (e.g. Roundcube) would. */
export function putActiveScript(
  stack: Stack,
  account: Account,
  name: string,
  script: string,
): Promise<void> {
  return withSieve(stack, account, async (client) => {
    await client.putScript(name, script);
    await client.setActive(name);
  });
}

/** The account's scripts: names, which one is active, and the text of each. */
export function listScripts(
  stack: Stack,
  account: Account,
): Promise<{ active: string | null; scripts: Record<string, string> }> {
  return withSieve(stack, account, async (client) => {
    const list = await client.listScripts();
    const scripts: Record<string, string> = {};
    for (const s of list) scripts[s.name] = await client.getScript(s.name);
    return { active: list.find((s) => s.active)?.name ?? null, scripts };
  });
}

/** A second bridge on the worker's mail server with rules turned off (FERRY_SIEVE_PORT=0). */
export async function startBridgeWithoutRules(
  stack: Stack,
): Promise<{ url: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "ferry-e2e-data-"));
  const env = loadConfig({
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
    FERRY_SIEVE_PORT: "0",
  });
  const config = { ...env, loginFailuresPerIp: 10_000 };
  const bridge = await createBridge(config, { log: createLogger(config.logLevel) });
  return {
    url: bridge.url,
    close: async () => {
      await bridge.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
