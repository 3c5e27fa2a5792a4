import { openSettings } from "../fixtures/list-view";
import { message, textPart } from "../fixtures/mime";
import { deliver, expect, row, test, unique } from "../fixtures/test";
import {
  composer,
  fillMessage,
  leafParts,
  newAccount,
  openCompose,
  partText,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

test.describe("compose: recipients, identities and settings", () => {
  test("recipients are chips: invalid ones are marked and block Send; addresses are suggested", async ({
    mailPage: page,
    account,
    stack,
  }) => {
    const subject = unique("Hello from Zed");
    await deliver(
      stack,
      account.email,
      message({
        from: '"Zed Zebra" <zed.zebra@example.net>',
        to: account.email,
        subject,
        body: textPart("Hi!"),
      }),
    );
    await expect(row(page, subject)).toBeVisible();

    const dialog = await openCompose(page);
    const to = dialog.getByLabel("To", { exact: true });
    // A pasted list becomes several chips.
    await to.fill("ann@example.org, not-an-address; bob@example.org");
    await expect(dialog.getByRole("button", { name: "Remove ann@example.org" })).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Remove bob@example.org" })).toBeVisible();
    const bad = dialog.getByRole("button", { name: "not-an-address, not a valid email address" });
    await expect(bad).toBeVisible();
    await expect(to).toHaveAttribute("aria-invalid", "true");

    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog.getByRole("alert")).toContainText(
      "not-an-address is not a valid email address. Correct or remove it to send.",
    );
    await dialog.getByRole("button", { name: "Remove not-an-address" }).click();
    await expect(to).not.toHaveAttribute("aria-invalid", "true");

    // Suggestions from the mail the user has.
    await to.fill("zed");
    const option = dialog.getByRole("option", { name: /Zed Zebra/ });
    await expect(option).toBeVisible();
    await expect(to).toHaveAttribute("aria-expanded", "true");
    await option.click();
    await expect(
      dialog.getByRole("button", { name: "Remove zed.zebra@example.net" }),
    ).toBeVisible();
    await expect(to).toHaveValue("");

    // Cc and Bcc on request.
    await dialog.getByRole("button", { name: "Add Cc recipients" }).click();
    await expect(dialog.getByLabel("Cc", { exact: true })).toBeVisible();
    await dialog.getByRole("button", { name: "Add Bcc recipients" }).click();
    await expect(dialog.getByLabel("Bcc", { exact: true })).toBeVisible();
    await dialog.getByRole("button", { name: "Discard draft" }).click();
    await expect(dialog).toBeHidden();
  });

  test("Add an address puts the focus in the new address's Name field", async ({
    mailPage: page,
    isPhone,
  }) => {
    const settings = await openSettings(page, isPhone);
    await settings.getByRole("button", { name: "Add an address" }).click();
    const entry = settings.getByRole("group", { name: "Address 1" });
    await expect(entry.getByLabel("Name", { exact: true })).toBeFocused();
    await page.keyboard.type("Alice at Work");
    await expect(entry.getByLabel("Name", { exact: true })).toHaveValue("Alice at Work");
  });

  test("identities: a From address with its signature, and the undo period, from settings", async ({
    mailPage: page,
    stack,
    isPhone,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    const work = `${unique("work").replace(" ", "-")}@example.test`;
    const settings = await openSettings(page, isPhone);
    await settings.getByLabel("How long a sent message can be taken back").selectOption("0");
    await settings.getByRole("button", { name: "Add an address" }).click();
    await settings.getByLabel("Name", { exact: true }).fill("Alice at Work");
    await settings.getByLabel("Email address", { exact: true }).fill("not valid");
    await settings.getByRole("button", { name: "Save addresses" }).click();
    await expect(settings.getByRole("alert")).toContainText("Correct the marked fields");
    await settings.getByLabel("Email address", { exact: true }).fill(work);
    await settings.getByLabel("Signature", { exact: true }).fill("Alice\nFerry team");
    await settings.getByRole("button", { name: "Save addresses" }).click();
    await expect(
      settings.getByRole("status").filter({ hasText: "Addresses saved." }),
    ).toBeVisible();
    await settings.getByRole("button", { name: "Close" }).click();
    await expect(settings).toBeHidden();
    if (isPhone) await page.goBack();

    const subject = unique("From my work address");
    const dialog = await openCompose(page);
    const from = dialog.getByLabel("From", { exact: true });
    await from.selectOption({ label: `Alice at Work <${work}>` });
    const body = dialog.getByRole("textbox", { name: "Message", exact: true });
    await expect(body).toContainText("Ferry team");
    await fillMessage(dialog, { to: [bob.email], subject });
    await body.click();
    await page.keyboard.press("ControlOrMeta+Home");
    await page.keyboard.type("Hello from work.");
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    // Undo is off: no Undo, straight to sent.
    await expect(page.getByRole("status").filter({ hasText: "Message sent" })).toBeVisible({
      timeout: 20_000,
    });

    const arrived = await waitForMessage(stack, bob, "INBOX", subject);
    expect(arrived.from).toBe(work);
    const text = await partText(
      stack,
      bob,
      "INBOX",
      arrived.uid,
      leafParts(arrived.structure).find((p) => p.type === "text/plain")?.part ?? "1",
    );
    expect(text).toMatch(/^Hello from work\./);
    expect(text).toMatch(/^-- \r?\nAlice\r?\nFerry team/m);
    await expect(composer(page)).toHaveCount(0);
  });
});
