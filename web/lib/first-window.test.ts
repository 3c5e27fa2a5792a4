/**
 * The first window a sign-in asks for, from the page's address and screen before the mailbox's
 * code has loaded: INBOX's head only (what the list will show first, as lib/route reads the same
 * address), of the view the page guesses, as many rows as the screen holds.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { firstWindowToAsk } from "./first-window";
import { isDefaultSort } from "./list-sort";
import { parseRoute } from "./route";

function at(search: string, height = 800): void {
  vi.stubGlobal("window", {
    location: { search },
    innerHeight: height,
    screen: { availHeight: height },
    matchMedia: () => ({ matches: false }),
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("firstWindowToAsk", () => {
  it("asks for INBOX's head, of the view given, with the rows the screen holds", () => {
    at("");
    expect(firstWindowToAsk(true)).toEqual({ conversations: true, rows: 11 });
    at("?folder=INBOX", 76 * 5);
    expect(firstWindowToAsk(false)).toEqual({ conversations: false, rows: 5 });
  });

  it("asks for none where the list will show something else first", () => {
    for (const search of ["?folder=Sent", "?q=invoice", "?sort=from.asc", "?folder=Archive&q=a"]) {
      at(search);
      expect(firstWindowToAsk(true), search).toBeUndefined();
    }
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
      "?view=folders",
      "?msg=1:2",
    ];
    for (const search of addresses) {
      const route = parseRoute(search);
      const inboxHead = route.folder === "INBOX" && route.q === null && isDefaultSort(route.sort);
      at(search);
      expect(firstWindowToAsk(true) !== undefined, search).toBe(inboxHead);
    }
  });
});
