import type { Page } from "@playwright/test";
import { expect, signIn, test, unique } from "../fixtures/test";
import {
  composer,
  fillMessage,
  listMailbox,
  newAccount,
  openCompose,
  sendingToast,
  setUndoSeconds,
  startBridgeWithSmtpDown,
  waitForMessage,
} from "./helpers";

test.use({ seed: { inbox: 3 } });

/** Polls `count` until `deadline` has passed; fails if it ever goes above zero. */
async function expectNothingUntil(count: () => Promise<number>, deadline: number) {
  await expect
    .poll(
      async () => {
        const n = await count();
        if (n > 0) return `arrived (${n})`;
        return Date.now() >= deadline ? "nothing arrived" : "waiting";
      },
      { timeout: deadline - Date.now() + 15_000, intervals: [500, 1000] },
    )
    .toBe("nothing arrived");
}

test.describe("compose: sending", () => {
  test("Undo brings the message back to the composer and nothing is sent", async ({
    mailPage: page,
    stack,
  }, testInfo) => {
    test.setTimeout(90_000);
    const bob = await newAccount(stack, testInfo, "bob");
    const subject = unique("Second thoughts");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Actually, never mind." });
    // The default undo window: 10 seconds.
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog).toBeHidden();
    await sendingToast(page).getByRole("button", { name: "Undo" }).click();

    const back = composer(page);
    await expect(back).toBeVisible();
    await expect(back.getByLabel("Subject", { exact: true })).toHaveValue(subject);
    await expect(back.getByRole("button", { name: `Remove ${bob.email}` })).toBeVisible();
    await expect(back.getByRole("textbox", { name: "Message", exact: true })).toContainText(
      "Actually, never mind.",
    );

    // Past the moment it would have gone out (on the bridge's clock rather than by waiting, and
    // a few seconds for a send that was not cancelled to arrive): nothing reached Bob or Sent.
    stack.clock.advance(13_000);
    await expectNothingUntil(
      async () =>
        (await listMailbox(stack, bob, "INBOX")).filter((m) => m.subject === subject).length,
      Date.now() + 4000,
    );
    await expect(page.getByText("Message sent")).toHaveCount(0);
    await expect(back).toBeVisible();
  });

  test("a message sent just before the tab closes still arrives", async ({
    mailPage: page,
    account,
    stack,
  }, testInfo) => {
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 3);
    const subject = unique("Sent and gone");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], subject, body: "Closing my laptop now." });
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    // Queued at the bridge (the notice comes with its answer): the tab may go.
    await expect(sendingToast(page)).toBeVisible();
    await page.close();

    const arrived = await waitForMessage(stack, bob, "INBOX", subject, 30_000);
    expect(arrived.from).toBe(account.email);
    await waitForMessage(stack, account, "\\Sent", subject);
  });

  test("a subject with an embedded CR/LF is refused and nothing is sent", async ({
    mailPage: page,
    account,
    stack,
  }, testInfo) => {
    const bob = await newAccount(stack, testInfo, "bob");
    await setUndoSeconds(page, 0);
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [bob.email], body: "Header injection attempt." });
    const subjectField = dialog.getByLabel("Subject", { exact: true });
    // Enter can't type a line break into the field; set the value the way a paste would.
    await subjectField.evaluate((el: HTMLTextAreaElement) => {
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")?.set;
      setter?.call(el, "Hello\r\nBcc: victim@example.test");
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await expect(subjectField).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByText("A subject cannot contain line breaks.")).toBeVisible();
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    await expect(dialog.getByRole("alert")).toContainText("The subject contains a line break");
    await expect(subjectField).toBeFocused();
    await expect(dialog).toBeVisible();
    await expect(sendingToast(page)).toHaveCount(0);

    // The bridge refuses such a frame too (a client that skipped the check).
    const answer = await page.evaluate(
      async ({ from, to }) => {
        const ws = new WebSocket(
          `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
        );
        return await new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no answer")), 10_000);
          ws.onmessage = (ev) => {
            const frame = JSON.parse(String(ev.data)) as { type: string; id?: string };
            if (frame.type === "hello") {
              ws.send(
                JSON.stringify({
                  type: "compose.send",
                  id: "crlf-1",
                  delaySeconds: 0,
                  draft: {
                    from: { name: "", address: from },
                    to: [{ name: "", address: to }],
                    subject: "Hello\r\nBcc: victim@example.test",
                    text: "x",
                  },
                }),
              );
            } else if (frame.id === "crlf-1") {
              clearTimeout(timer);
              ws.close();
              resolve(frame);
            }
          };
        });
      },
      { from: account.email, to: bob.email },
    );
    expect(answer).toMatchObject({ type: "error", code: "bad_request" });

    await expectNothingUntil(
      async () =>
        (await listMailbox(stack, bob, "INBOX")).filter((m) => m.subject.startsWith("Hello"))
          .length +
        (await listMailbox(stack, account, "\\Sent")).filter((m) => m.subject.startsWith("Hello"))
          .length,
      Date.now() + 4000,
    );
  });

  test("a refused recipient is named, and the message comes back to the composer", async ({
    mailPage: page,
  }) => {
    await setUndoSeconds(page, 0);
    const nobody = `${unique("nobody").replace(" ", "-")}@example.test`;
    const subject = unique("To nobody");
    const dialog = await openCompose(page);
    await fillMessage(dialog, { to: [nobody], subject, body: "Is anyone there?" });
    await dialog.getByRole("button", { name: "Send", exact: true }).click();
    const back = composer(page);
    await expect(back.getByRole("alert")).toContainText(`the mail server refused ${nobody}`, {
      timeout: 20_000,
    });
    await expect(back.getByLabel("Subject", { exact: true })).toHaveValue(subject);
    await expect(back.getByRole("textbox", { name: "Message", exact: true })).toContainText(
      "Is anyone there?",
    );
  });
});

test.describe("compose: SMTP down", () => {
  test("a clear error, and the draft is kept", async ({
    browser,
    account,
    stack,
    isMobile,
    hasTouch,
    viewport,
    userAgent,
  }) => {
    test.setTimeout(90_000);
    const down = await startBridgeWithSmtpDown(stack);
    const context = await browser.newContext({
      isMobile,
      hasTouch,
      ...(viewport ? { viewport } : {}),
      ...(userAgent ? { userAgent } : {}),
      baseURL: down.url,
      locale: "en-US",
      timezoneId: "UTC",
    });
    try {
      const page: Page = await context.newPage();
      await signIn(page, account);
      await setUndoSeconds(page, 0);
      const subject = unique("Into the void");
      const dialog = await openCompose(page);
      await fillMessage(dialog, {
        to: [stack.bob.email],
        subject,
        body: "This will not go out today.",
      });
      await dialog.getByRole("button", { name: "Send", exact: true }).click();

      const back = composer(page);
      await expect(back.getByRole("alert")).toContainText(
        "the outgoing mail server could not be reached",
        { timeout: 30_000 },
      );
      await expect(back.getByRole("alert")).toContainText("kept as a draft");
      await expect(back.getByLabel("Subject", { exact: true })).toHaveValue(subject);
      await expect(back.getByRole("textbox", { name: "Message", exact: true })).toContainText(
        "This will not go out today.",
      );
      // Nothing is lost: the message is in Drafts on the server.
      const draft = await waitForMessage(stack, account, "\\Drafts", subject);
      expect(draft.flags).toContain("\\Draft");
      await expect(back.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
    } finally {
      await context.close();
      await down.close();
    }
  });
});
