/**
 * A user who chose an order for the list (kept in this browser per account, web/lib/list-sort.ts)
 * comes back after the browser dropped the session (a sign-out clears this origin's storage, the
 * kept order with it; a browser restart does not) and signs in again: the list opens in that
 * order, and no frame ever shows its rows in another one; the first rows painted are the sign-in answer's (web/lib/first-window.ts asks for
 * the kept order), not the socket's first `list.window`. Watched from the page's start by a
 * MutationObserver (its callbacks run before the browser paints what changed), beside the
 * socket's replies as the page receives them.
 */
import type { Page } from "@playwright/test";
import type { Account, Stack } from "../fixtures/stack";
import { deliver, expect, rawMessage, rows, signIn, test, unique } from "../fixtures/test";

test.use({ seed: { inbox: 0 } });

interface Seen {
  /**
   * Each new order of the list's loaded rows, as their labels, when the socket answered a window
   * of INBOX's head (no search: the offline copies' is not the list), and the order each one it
   * asked for was in ("": the default).
   */
  log: ({ rows: string[] } | { reply: string } | { asked: string })[];
}

/** Installed before the page's own scripts: the rows' order change by change, and the replies. */
function watchOrder(): void {
  const seen: Seen = { log: [] };
  (window as unknown as { __seen: Seen }).__seen = seen;
  let last = "";
  const check = () => {
    const loaded = document.querySelectorAll(
      '[role="listbox"][aria-label="Messages"] [role="option"]:not([aria-busy="true"])',
    );
    const labels = Array.from(loaded, (o) => o.getAttribute("aria-label") ?? "");
    const key = labels.join("\n");
    if (labels.length > 0 && key !== last) seen.log.push({ rows: labels });
    last = key;
  };
  new MutationObserver(check).observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-label", "aria-busy"],
  });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const send = this.send.bind(this);
      this.send = (data) => {
        if (typeof data === "string") {
          const f = JSON.parse(data) as {
            type?: string;
            mailbox?: string;
            offset?: number;
            query?: string | null;
            sort?: { key: string; reverse: boolean };
          };
          if (f.type === "list.window" && f.mailbox === "INBOX" && f.offset === 0 && !f.query) {
            const order = f.sort ? `${f.sort.key}.${f.sort.reverse ? "desc" : "asc"}` : "";
            seen.log.push({ asked: order === "arrival.desc" ? "" : order });
          }
        }
        send(data);
      };
      this.addEventListener("message", (e: MessageEvent) => {
        if (typeof e.data !== "string") return;
        const f = JSON.parse(e.data) as {
          type?: string;
          mailbox?: string;
          offset?: number;
          query?: string | null;
        };
        if (f.type === "list.window" && f.mailbox === "INBOX" && f.offset === 0 && !f.query)
          seen.log.push({ reply: f.type });
      });
    }
  };
}

/** Three messages whose arrival order is the reverse of their senders' A to Z. */
async function threeSenders(stack: Stack, account: Account): Promise<string[]> {
  const label = unique("Kept order");
  const names = ["Amy Able", "Max Mid", "Zoe Zed"];
  for (const name of names) {
    const from = `${name.split(" ")[0]?.toLowerCase()}@example.test`;
    const subject = `${label} from ${name}`;
    await deliver(
      stack,
      account.email,
      rawMessage({ from, fromName: name, to: account.email, subject }),
    );
  }
  return names;
}

/**
 * The next visit after the browser dropped the session's cookie (a restart: it lasts as long as
 * the browser), so the bridge never told it to clear this origin's storage: the page finds its
 * session gone, shows the sign-in form, and the user signs in again.
 */
async function signInOnNextVisit(page: Page, account: Account): Promise<void> {
  await page.context().clearCookies();
  await page.goto("/");
  await expect(page.getByLabel("Email address")).toBeVisible();
  // Only what the page shows from the sign-in on counts.
  await page.evaluate(() => {
    (window as unknown as { __seen: Seen }).__seen.log.length = 0;
  });
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(rows(page).first()).toBeVisible({ timeout: 20_000 });
}

/** The senders of the rows, in the order the labels list them (each label names its sender). */
function sendersIn(labels: string[], names: string[]): string[] {
  return labels.flatMap((l) => names.filter((n) => l.includes(n)));
}

test("a user who sorted by sender signs in again to that order, from the answer, in every frame", async ({
  page,
  account,
  stack,
}) => {
  const names = await threeSenders(stack, account);
  await page.addInitScript(watchOrder);
  await signIn(page, account);
  const sorted = [...names];
  const newestFirst = [...names].reverse();
  await expect
    .poll(async () =>
      sendersIn(
        await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? "")),
        names,
      ),
    )
    .toEqual(newestFirst);

  await page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Sender, A to Z" });
  const shown = async () =>
    sendersIn(
      await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") ?? "")),
      names,
    );
  await expect.poll(shown).toEqual(sorted);

  await signInOnNextVisit(page, account);
  await expect.poll(shown).toEqual(sorted);
  await expect(page.getByRole("combobox", { name: "Sort by" })).toHaveValue("from.asc");

  const seen = await page.evaluate(() => (window as unknown as { __seen: Seen }).__seen);
  const orders = seen.log.flatMap((e) => ("rows" in e ? [sendersIn(e.rows, names)] : []));
  // Every frame that showed the rows showed them A to Z (before: newest first, then re-sorted,
  // or nothing until the socket's window).
  expect(orders.length).toBeGreaterThan(0);
  for (const order of orders) expect(order).toEqual(sorted.filter((n) => order.includes(n)));
  // The first rows painted came with the sign-in's answer, before any window over the socket.
  const firstRows = seen.log.findIndex((e) => "rows" in e);
  const firstReply = seen.log.findIndex((e) => "reply" in e);
  expect(firstReply === -1 || firstRows < firstReply, JSON.stringify(seen.log)).toBe(true);
  // Nor was INBOX's head asked for in another order than the one shown (a read for nothing on
  // the bridge's connection, ahead of the user's first open).
  const asked = seen.log.flatMap((e) => ("asked" in e ? [e.asked] : []));
  expect(
    asked.filter((order) => order !== "from.asc"),
    JSON.stringify(seen.log),
  ).toEqual([]);
});
