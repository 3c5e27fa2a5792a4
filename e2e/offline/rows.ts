/** Acting on list rows in the offline specs: archiving one by the layout's own gesture. */
import type { Page } from "@playwright/test";
import { swipeRow } from "../fixtures/list-view";
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
  await swipeRow(page, subject, -300);
  await expect(row(page, subject)).toHaveCount(0);
}
