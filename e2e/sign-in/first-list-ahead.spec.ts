/**
 * Right after a sign-in, the list the user waits for is the only INBOX window the page asks the
 * bridge for until it is answered: the offline copies' search (a `list.window` of INBOX's last N
 * days, web/lib/offline-bodies-task.ts) comes after that answer, not beside it, where it ran on
 * the bridge's connection ahead of or alongside the list (a search and 200 rows).
 */
import type { Page } from "@playwright/test";
import { expect, rows, test } from "../fixtures/test";

interface WindowFrame {
  sent: boolean;
  query: string | null;
}

/** The page's `list.window` frames for INBOX at offset 0, both ways, in the order seen. */
function watchInboxHeads(page: Page): WindowFrame[] {
  const frames: WindowFrame[] = [];
  const add = (sent: boolean, payload: string | Buffer) => {
    if (typeof payload !== "string") return;
    const f = JSON.parse(payload) as {
      type?: string;
      mailbox?: string;
      offset?: number;
      query?: string | null;
    };
    if (f.type === "list.window" && f.mailbox === "INBOX" && f.offset === 0)
      frames.push({ sent, query: f.query ?? null });
  };
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => add(true, f.payload));
    ws.on("framereceived", (f) => add(false, f.payload));
  });
  return frames;
}

test("after a sign-in the list's window is asked for alone, and the offline copies' search after its answer", async ({
  page,
  account,
}) => {
  const frames = watchInboxHeads(page);
  await page.goto("/");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(rows(page).first()).toBeVisible();

  const listAnswer = () => frames.findIndex((f) => !f.sent && f.query === null);
  const offlineSearch = () =>
    frames.findIndex((f) => f.sent && f.query?.startsWith("newer_than:") === true);
  await expect.poll(listAnswer, { timeout: 15_000 }).toBeGreaterThan(-1);
  // The offline copies still run, once the list is in.
  await expect.poll(offlineSearch, { timeout: 20_000 }).toBeGreaterThan(-1);

  const before = frames.slice(0, listAnswer()).filter((f) => f.sent);
  expect(before).toEqual([{ sent: true, query: null }]);
  expect(offlineSearch()).toBeGreaterThan(listAnswer());
});
