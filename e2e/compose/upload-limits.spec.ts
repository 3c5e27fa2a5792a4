import { randomBytes } from "node:crypto";
import { expect, signIn, test } from "../fixtures/test";
import { openCompose, startSecondBridge } from "./helpers";

test.use({ seed: { inbox: 3 } });

const MB = 1024 * 1024;

test.describe("compose: the bridge's upload limits", () => {
  test("a bridge with smaller limits: the composer names them and refuses a file over them", async ({
    browser,
    account,
    stack,
    isMobile,
    hasTouch,
    viewport,
    userAgent,
  }) => {
    const small = await startSecondBridge(stack, {
      FERRY_UPLOAD_MAX_MB: "1",
      FERRY_MESSAGE_MAX_MB: "2",
    });
    const context = await browser.newContext({
      isMobile,
      hasTouch,
      ...(viewport ? { viewport } : {}),
      ...(userAgent ? { userAgent } : {}),
      baseURL: small.url,
      locale: "en-US",
      timezoneId: "UTC",
    });
    try {
      const page = await context.newPage();
      await signIn(page, account);
      const uploads: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/api/uploads")) uploads.push(r.url());
      });
      const dialog = await openCompose(page);
      await expect(dialog.getByRole("button", { name: "Attach files" })).toHaveAttribute(
        "title",
        /1 MB.*2 MB/,
      );
      const name = `scan-${randomBytes(3).toString("hex")}.pdf`;
      const chooser = page.waitForEvent("filechooser");
      await dialog.getByRole("button", { name: "Attach files" }).click();
      await (await chooser).setFiles({
        name,
        mimeType: "application/pdf",
        buffer: Buffer.alloc(MB + 1),
      });
      await expect(dialog.getByRole("alert")).toContainText(
        `“${name}” is larger than 1 MB and was not attached.`,
      );
      await expect(dialog.getByText("Up to 1 MB per file and 2 MB per message.")).toBeVisible();
      await expect(dialog.getByRole("listitem")).toHaveCount(0);
      expect(uploads).toEqual([]);
    } finally {
      await context.close();
      await small.close();
    }
  });
});
