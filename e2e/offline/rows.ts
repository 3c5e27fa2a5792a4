/** Acting on list rows in the offline specs: archiving one by the layout's own gesture. */
import type { Page } from "@playwright/test";
import { expect, row } from "../fixtures/test";

/** Archives one row: swiped to the left on a phone, selected and archived on a desktop. */
export async function archiveRow(page: Page, isPhone: boolean, subject: string): Promise<void> {
  if (!isPhone) {
    await row(page, subject).getByRole("checkbox").check();
    await page
      .getByRole("toolbar", { name: "Message actions" })
      .getByRole("button", { name: "Archive" })
      .click();
    await expect(row(page, subject)).toHaveCount(0);
    return;
  }
  const box = await row(page, subject).boundingBox();
  if (!box) throw new Error("row not on screen");
  const y = box.y + box.height / 2;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x - 100, y, { steps: 4 });
  await page.mouse.move(x - 300, y, { steps: 4 });
  await page.mouse.up();
  await expect(row(page, subject)).toHaveCount(0);
}
