/**
 * A file attached while offline: kept in the browser and shown as waiting to upload, the message
 * goes to the Outbox on Send, and once the network is back the file is uploaded and the message
 * delivered through Postfix once, with the file byte for byte.
 */
import { randomBytes } from "node:crypto";
import {
  fillMessage,
  leafParts,
  newAccount,
  openCompose,
  partSha256,
  setUndoSeconds,
  sha256,
  waitForMessage,
} from "../compose/helpers";
import { expect, folders, showFolders, test, unique } from "../fixtures/test";
import { copies, serviceWorkerActive } from "./helpers";

test.describe("attaching offline", () => {
  test("a file attached with no network goes with the Outbox message and arrives once, byte for byte", async ({
    mailPage: page,
    context,
    stack,
    account,
    isPhone,
  }, testInfo) => {
    test.setTimeout(120_000);
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 2);

    // Offline, the composer's code comes from the service worker's precache.
    await expect.poll(() => serviceWorkerActive(page), { timeout: 20_000 }).toBe(true);
    await context.setOffline(true);
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);

    const subject = unique("Report from the train");
    const report = randomBytes(60_000);
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "The report is attached." });
    const chooser = page.waitForEvent("filechooser");
    await dialog.getByRole("button", { name: "Attach files" }).click();
    await (await chooser).setFiles([
      { name: "report.bin", mimeType: "application/octet-stream", buffer: report },
    ]);
    const attachments = dialog.getByRole("list", { name: /attachments?$/ });
    await expect(attachments.getByText("report.bin")).toBeVisible();
    await expect(attachments.getByText("Will upload when online")).toBeVisible();

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();
    await showFolders(page, isPhone);
    await expect(
      folders(page).getByRole("listitem", { name: "Outbox, 1 message waiting to be sent" }),
    ).toBeVisible();
    expect(await copies(stack, bob, "INBOX", subject)).toBe(0);

    await context.setOffline(false);
    await expect(page.getByText("Message sent")).toBeVisible({ timeout: 30_000 });
    await expect(folders(page).getByRole("listitem", { name: /^Outbox/ })).toHaveCount(0);

    const arrived = await waitForMessage(stack, bob, "INBOX", subject);
    await waitForMessage(stack, account, "\\Sent", subject);
    expect(await copies(stack, bob, "INBOX", subject)).toBe(1);
    expect(await copies(stack, account, "\\Sent", subject)).toBe(1);
    const files = leafParts(arrived.structure).filter((p) => p.filename);
    expect(files.map((f) => f.filename)).toEqual(["report.bin"]);
    const got = await partSha256(stack, bob, "INBOX", arrived.uid, files[0]?.part ?? "2");
    expect(got.bytes).toBe(report.length);
    expect(got.sha256).toBe(sha256(report));
  });
});
