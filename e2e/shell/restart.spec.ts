/**
 * A bridge restart (an upgrade, a crash) while a tab is open: the new bridge finds the session
 * in the state store, so the tab reconnects by itself, stays signed in without a reload, and
 * new mail shows up live again.
 */
import { deliver, expect, rawMessage, row, test, unique } from "../fixtures/test";

test.use({ seed: { inbox: 3 } });

test("a tab open across a bridge restart resumes without signing in", async ({
  mailPage: page,
  account,
  stack,
}) => {
  test.setTimeout(90_000);
  let loads = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) loads++;
  });

  await stack.restartBridge();

  const subject = unique("Arrived after the restart");
  await deliver(
    stack,
    account.email,
    rawMessage({ from: "carol@example.test", to: account.email, subject }),
  );
  await expect(row(page, subject)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Sign in" })).toHaveCount(0);
  expect(loads).toBe(0);
});
