/**
 * The first window a sign-in asks for, from the page's address, the order the account last chose
 * in this browser and the screen, before the mailbox's code has loaded: INBOX's head only (what
 * the list will show first, as lib/route reads the same address), of the view the page guesses
 * or, in another order, of messages in it, as many rows as the screen holds.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { firstWindowToAsk } from "./first-window";
import { isDefaultSort, sortId } from "./list-sort";
import { parseRoute } from "./route";

const ME = "ann@example.test";

function at(search: string, height = 800, kept: Record<string, string> = {}): void {
  vi.stubGlobal("window", {
    location: { search },
    innerHeight: height,
    screen: { availHeight: height },
    matchMedia: () => ({ matches: false }),
    localStorage: { getItem: (key: string) => kept[key] ?? null },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("firstWindowToAsk", () => {
  it("asks for INBOX's head, of the view given, with the rows the screen holds", () => {
    at("");
    expect(firstWindowToAsk(true, ME)).toEqual({ conversations: true, rows: 11 });
    at("?folder=INBOX", 76 * 5);
    expect(firstWindowToAsk(false, ME)).toEqual({ conversations: false, rows: 5 });
  });

  it("asks for none where the list will show another folder or a search first", () => {
    for (const search of ["?folder=Sent", "?q=invoice", "?folder=Archive&q=a"]) {
      at(search);
      expect(firstWindowToAsk(true, ME), search).toBeUndefined();
    }
  });

  it("asks for messages in the order the account last chose in this browser", () => {
    at("", 800, { [`ferry.sort:${ME}`]: "from.asc" });
    expect(firstWindowToAsk(true, ME)).toEqual({
      conversations: false,
      rows: 11,
      sort: { key: "from", reverse: false },
    });
    // Kept per account, as the mailbox reads it (lower case, the address as the bridge trims it).
    expect(firstWindowToAsk(true, ` ${ME.toUpperCase()} `)?.sort).toEqual({
      key: "from",
      reverse: false,
    });
    expect(firstWindowToAsk(true, "bob@example.test")).toEqual({ conversations: true, rows: 11 });
  });

  it("asks in the address's order over the kept one, and the default as conversations", () => {
    const kept = { [`ferry.sort:${ME}`]: "from.asc" };
    at("?sort=size.desc", 800, kept);
    expect(firstWindowToAsk(true, ME)?.sort).toEqual({ key: "size", reverse: true });
    at("?sort=arrival.desc", 800, kept);
    expect(firstWindowToAsk(true, ME)).toEqual({ conversations: true, rows: 11 });
    at("", 800, { [`ferry.sort:${ME}`]: "nonsense.asc" });
    expect(firstWindowToAsk(true, ME)).toEqual({ conversations: true, rows: 11 });
  });

  it("agrees with the route the mailbox reads from the same address", () => {
    const addresses = [
      "",
      "?folder=INBOX",
      "?folder=",
      "?folder=Sent",
      "?q=invoice",
      "?q=%20%20",
      "?sort=from.asc",
      "?sort=size.desc&folder=INBOX",
      "?sort=bogus",
      "?view=folders",
      "?msg=1:2",
    ];
    for (const search of addresses) {
      const route = parseRoute(search);
      at(search);
      const asked = firstWindowToAsk(true, ME);
      expect(asked !== undefined, search).toBe(route.folder === "INBOX" && route.q === null);
      if (!asked) continue;
      expect(sortId(asked.sort), search).toBe(sortId(route.sort));
      expect(asked.conversations, search).toBe(isDefaultSort(route.sort));
    }
  });
});
