/**
 * Settings that follow the user (bridge/src/settings/service.ts, web/lib/settings.ts): two
 * browsers signed in as the same user, a change made in one shows in the other at once, with
 * no reload. That the same address on another server never sees them needs a second mail
 * server: bridge/test/settings.test.ts checks it against two real Dovecots.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { openSettings } from "../fixtures/list-view";
import { htmlPart, message } from "../fixtures/mime";
import { type Device, otherBrowser } from "../fixtures/other-browser";
import type { Account } from "../fixtures/stack";
import {
  deliver,
  expect,
  folders,
  messageList,
  reader,
  row,
  signIn,
  test,
  unique,
} from "../fixtures/test";

test.use({ seed: { inbox: 3 } });

/** A second browser (its own cookies and storage) signed in as `account`. */
async function secondBrowser(
  browser: Browser,
  first: Page,
  account: Account,
  device: Device,
): Promise<Page> {
  const page = await (await otherBrowser(browser, first, device)).newPage();
  await signIn(page, account);
  return page;
}

test.describe("settings follow the user", () => {
  test("the undo-send delay changed in one browser shows in the other without a reload", async ({
    mailPage: a,
    account,
    browser,
    isPhone,
    isMobile,
    hasTouch,
    viewport,
    userAgent,
  }) => {
    const b = await secondBrowser(browser, a, account, {
      isMobile,
      hasTouch,
      viewport,
      userAgent,
    });
    const label = "How long a sent message can be taken back";
    const inB = (await openSettings(b, isPhone)).getByLabel(label);
    await expect(inB).toHaveValue("10");

    const inA = (await openSettings(a, isPhone)).getByLabel(label);
    await expect(inA).toHaveValue("10");
    await inA.selectOption({ label: "30 seconds" });

    // B's open dialog follows, with no reload.
    await expect(inB).toHaveValue("30");
    await expect(inB.locator("option:checked")).toHaveText("30 seconds");

    // And a page opened later in B starts from it.
    await b.reload();
    await expect(isPhone ? folders(b) : messageList(b)).toBeVisible();
    await expect((await openSettings(b, isPhone)).getByLabel(label)).toHaveValue("30");
    await b.context().close();
  });

  test("a sender allowed in one browser has its remote content load in the other", async ({
    mailPage: a,
    account,
    stack,
    browser,
    isMobile,
    hasTouch,
    viewport,
    userAgent,
  }) => {
    const sender = `digest-${randomBytes(3).toString("hex")}@news.example.test`;
    const subject = unique("Weekly digest");
    await deliver(
      stack,
      account.email,
      message({
        from: `"News Digest" <${sender}>`,
        to: account.email,
        subject,
        body: htmlPart(
          `<p>This week</p><img alt="masthead" src="https://images.example.invalid/masthead.png">`,
        ),
      }),
    );
    const b = await secondBrowser(browser, a, account, {
      isMobile,
      hasTouch,
      viewport,
      userAgent,
    });

    // B reads the message: its remote image is blocked behind the banner.
    await row(b, subject).click();
    await expect(reader(b, subject)).toBeVisible();
    const bodyB = b.frameLocator('iframe[title="Message body"]');
    await expect(bodyB.getByText("This week")).toBeVisible();
    const bannerB = b.getByText("Remote content in this message is blocked");
    await expect(bannerB).toBeVisible();
    await expect(bodyB.getByRole("img", { name: "masthead" })).not.toHaveAttribute("src", /./);

    // A allows the sender for good.
    await row(a, subject).click();
    await expect(reader(a, subject)).toBeVisible();
    const proxiedInB = b.waitForRequest((r) =>
      r.url().includes("/api/proxy?url=https%3A%2F%2Fimages.example.invalid%2Fmasthead.png"),
    );
    await a.getByRole("button", { name: `Always load from ${sender}` }).click();
    await expect(a.getByText("Remote content in this message is blocked")).toHaveCount(0);

    // B, untouched, loads it through the proxy and its banner is gone.
    await proxiedInB;
    await expect(bannerB).toHaveCount(0);
    await expect(bodyB.getByRole("img", { name: "masthead" })).toHaveAttribute(
      "src",
      /^\/api\/proxy\?url=/,
    );
    await b.context().close();
  });
});
