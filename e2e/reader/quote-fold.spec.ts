/**
 * Quoted text and signatures folded behind "…" (issue 15): a reply that quotes the message before
 * it shows what its sender wrote and a "…" in place of the quote; "…" shows the quote, and shows
 * it inside the sandboxed frame without script (a `<details>` the frame grows and shrinks with).
 * Plain text folds the same way, with a button outside the frame.
 */
import { htmlPart, message, textPart } from "../fixtures/mime";
import { deliver, expect, reader, row, test, unique } from "../fixtures/test";

const ATTRIBUTION = "On Mon, 1 Dec 2025 at 09:30, Alice Example <alice@example.test> wrote:";
const SHOW = "Show quoted text and signature";

test.describe("the quote fold", () => {
  test("an HTML reply shows … instead of the quote, and … shows it", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const subject = unique("Re: Lunch");
    const html =
      `<html><body><div dir="ltr">Sounds good, see you on Friday.</div><br>` +
      `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">${ATTRIBUTION.replace("<", "&lt;").replace(">", "&gt;")}<br></div>` +
      `<blockquote class="gmail_quote"><p>Lunch on Friday at noon?</p><p>Alice</p>` +
      `<div style="height:600px">The long rest of the earlier message.</div></blockquote></div></body></html>`;
    await deliver(
      stack,
      account.email,
      message({
        from: '"Bob Builder" <bob@example.test>',
        to: account.email,
        subject,
        body: htmlPart(html),
      }),
    );
    await row(page, subject).click();
    const article = reader(page, subject);
    const frame = article.locator('iframe[title="Message body"]');
    const body = page.frameLocator('iframe[title="Message body"]');
    await expect(body.getByText("Sounds good, see you on Friday.")).toBeVisible();
    await expect(body.getByText("Lunch on Friday at noon?")).toBeHidden();
    await expect(body.getByText(/Alice Example .* wrote:/)).toBeHidden();
    const fold = body.getByTitle(SHOW);
    await expect(fold).toHaveText("…");
    const height = async () => (await frame.boundingBox())?.height ?? 0;
    await expect.poll(height).toBeGreaterThan(20);
    const folded = await height();
    expect(folded).toBeLessThan(400);

    await fold.click();
    await expect(body.getByText("Lunch on Friday at noon?")).toBeVisible();
    await expect(body.getByText(/Alice Example .* wrote:/)).toBeVisible();
    // The frame grows with it: the quote is read in the page, not in a scrolled box.
    await expect.poll(height).toBeGreaterThan(folded + 600);

    await fold.click();
    await expect(body.getByText("Lunch on Friday at noon?")).toBeHidden();
    await expect.poll(height).toBeLessThan(folded + 10);
  });

  test("a plain-text reply folds its signature and quote behind …", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const subject = unique("Re: Budget");
    const text = [
      "Approved, go ahead.",
      "",
      "-- ",
      "Bob Builder, ACME",
      "",
      ATTRIBUTION,
      "> Can you approve the budget?",
      "> Alice",
      "",
    ].join("\r\n");
    await deliver(
      stack,
      account.email,
      message({
        from: '"Bob Builder" <bob@example.test>',
        to: account.email,
        subject,
        body: textPart(text),
      }),
    );
    await row(page, subject).click();
    const article = reader(page, subject);
    await expect(article.getByText("Approved, go ahead.")).toBeVisible();
    await expect(article.getByText(/Can you approve the budget\?/)).toHaveCount(0);
    await expect(article.getByText("Bob Builder, ACME")).toHaveCount(0);
    const fold = article.getByRole("button", { name: SHOW });
    await expect(fold).toHaveAttribute("aria-expanded", "false");

    await fold.click();
    await expect(fold).toHaveAttribute("aria-expanded", "true");
    await expect(article.getByText(/> Can you approve the budget\?/)).toBeVisible();
    await expect(article.getByText(/Bob Builder, ACME/)).toBeVisible();
  });

  test("a message that is all quote, or quotes nothing, has no …", async ({
    mailPage: page,
    stack,
    account,
  }) => {
    const subject = unique("Note");
    await deliver(
      stack,
      account.email,
      message({
        from: '"Bob Builder" <bob@example.test>',
        to: account.email,
        subject,
        body: textPart(`${ATTRIBUTION}\r\n> Only the quote, nothing else.\r\n`),
      }),
    );
    await row(page, subject).click();
    const article = reader(page, subject);
    await expect(article.getByText(/> Only the quote, nothing else\./)).toBeVisible();
    await expect(article.getByRole("button", { name: SHOW })).toHaveCount(0);
  });
});
