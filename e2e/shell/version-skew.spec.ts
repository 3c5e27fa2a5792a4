/**
 * Version skew: Ferry is updated (the bridge restarts speaking another protocol version) while a
 * tab of the old app is open with a message half written. The tab says so, reloads itself once,
 * and the message is back in the composer, then saved to Drafts.
 */
import { PROTOCOL_VERSION } from "@ferry/bridge";
import { composer, fillMessage, listMailbox, openCompose } from "../compose/helpers";
import { expect, test, unique } from "../fixtures/test";

// The reload is held below with page.route, which cannot see navigations a service worker
// answers; with the worker blocked the reload reaches the network and can be held. The worker's
// part (fetch the new build and hand over to it before reloading) is lib/service-worker.ts
// reloadIntoUpdate, which falls back to this plain reload when no newer build exists.
test.use({ seed: { inbox: 3 }, serviceWorkers: "block" });

test("after an update the open tab says so, reloads once and keeps the unsent draft", async ({
  mailPage: page,
  account,
  stack,
}) => {
  test.setTimeout(90_000);
  const subject = unique("Written before the update");
  const dialog = await openCompose(page);
  await fillMessage(dialog, {
    to: ["carol@example.test"],
    subject,
    body: "Typed in the old page.",
  });

  // Loads of the page from here on are counted, and held until the test lets them through.
  let loads = 0;
  let letThrough: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    letThrough = resolve;
  });
  await page.route("**/*", async (route) => {
    if (!route.request().isNavigationRequest()) return route.fallback();
    loads++;
    await held;
    return route.fallback();
  });

  try {
    // The update: the bridge comes back speaking a newer protocol than this page.
    await stack.restartBridge({ protocolVersion: PROTOCOL_VERSION + 1 });
    await expect(page.getByRole("status").filter({ hasText: "Ferry was updated" })).toHaveText(
      /Ferry was updated\. Reloading…/,
      { timeout: 20_000 },
    );
    await expect.poll(() => loads, { timeout: 10_000 }).toBe(1);
  } finally {
    // What the reload gets is the new release's page, which speaks the bridge's version: here,
    // the same build against a bridge speaking this build's version again.
    await stack.restartBridge();
    letThrough();
  }

  const resumed = composer(page);
  await expect(resumed).toBeVisible({ timeout: 20_000 });
  await expect(resumed.getByLabel("Subject", { exact: true })).toHaveValue(subject);
  await expect(resumed.getByRole("button", { name: "Remove carol@example.test" })).toBeVisible();
  await expect(resumed.getByRole("textbox", { name: "Message", exact: true })).toContainText(
    "Typed in the old page.",
  );
  await expect(resumed.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible({
    timeout: 15_000,
  });
  await expect
    .poll(async () =>
      (await listMailbox(stack, account, "\\Drafts")).filter((m) => m.subject === subject),
    )
    .toHaveLength(1);
  await expect(page.getByRole("status").filter({ hasText: "Ferry was updated" })).toHaveCount(0);
  expect(loads).toBe(1);
});
