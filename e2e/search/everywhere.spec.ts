import { withImap } from "../compose/helpers";
import { expect, rawMessage, reader, rows, test, unique } from "../fixtures/test";

test.describe("search all folders", () => {
  test("finds a message filed in Archive, shows its folder, leaves Trash and Junk out, and opens it", async ({
    mailPage: page,
    stack,
    account,
    isPhone,
  }) => {
    const word = unique("Quince").replace(" ", "");
    await withImap(stack, account, async (client) => {
      for (const folder of ["Archive", "Trash", "Junk"]) {
        await client.append(
          folder,
          rawMessage({
            from: "orchard@example.test",
            fromName: "Orchard",
            to: account.email,
            subject: `${word} filed in ${folder}`,
          }),
        );
      }
    });
    const box = page.getByRole("searchbox", { name: "Search mail" });
    if (isPhone) await expect(box).toBeVisible();
    await box.fill(word);
    await box.press("Enter");
    // In the Inbox alone there is nothing.
    await expect(page.getByText("No messages match this search")).toBeVisible();

    await page.getByRole("button", { name: "Search all folders" }).click();
    await expect(page.getByRole("button", { name: "Search all folders" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await expect(page).toHaveURL(/q=in%3Aanywhere/);
    await expect(rows(page)).toHaveCount(1);
    const found = rows(page).first();
    await expect(found).toHaveAccessibleName(new RegExp(`${word} filed in Archive.*in Archive`));
    await expect(found.getByText("Archive", { exact: true })).toBeVisible();
    await expect(page.getByText("1 result", { exact: true })).toBeVisible();

    await found.click();
    await expect(reader(page, `${word} filed in Archive`)).toBeVisible();
    await expect(page).toHaveURL(/folder=Archive/);
  });

  test("in:NAME searches the named folder", async ({ mailPage: page, stack, account }) => {
    const word = unique("Medlar").replace(" ", "");
    await withImap(stack, account, async (client) => {
      await client.append(
        "Trash",
        rawMessage({ from: "bin@example.test", to: account.email, subject: `${word} binned` }),
      );
    });
    const box = page.getByRole("searchbox", { name: "Search mail" });
    await box.fill(`in:trash ${word}`);
    await box.press("Enter");
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toHaveAccessibleName(new RegExp(`${word} binned.*in Trash`));
  });
});
