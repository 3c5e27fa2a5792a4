import { describe, expect, it } from "vitest";
import { parseRoute, routeToSearch } from "./route";

describe("route", () => {
  it("round-trips through the query string", () => {
    const r = parseRoute("?folder=Archive%2F2024&msg=17:42&q=from%3Aann&ro=1");
    expect(r).toEqual({
      folder: "Archive/2024",
      msg: { uidValidity: 17, uid: 42 },
      q: "from:ann",
      ro: true,
      view: null,
    });
    expect(parseRoute(routeToSearch(r))).toEqual(r);
  });

  it("defaults to the inbox and ignores a malformed message", () => {
    expect(parseRoute("?msg=abc")).toEqual({
      folder: "INBOX",
      msg: null,
      q: null,
      ro: false,
      view: null,
    });
    expect(routeToSearch(parseRoute(""))).toBe("");
  });
});

describe("route sort", () => {
  it("keeps a list order in the URL, and leaves the default out", () => {
    const r = parseRoute("?folder=Big&sort=from.asc");
    expect(r.sort).toEqual({ key: "from", reverse: false });
    expect(routeToSearch(r)).toBe("?folder=Big&sort=from.asc");
    expect(parseRoute("?sort=arrival.desc").sort).toEqual({ key: "arrival", reverse: true });
    expect(routeToSearch(parseRoute("?sort=arrival.desc"))).toBe("");
    expect(parseRoute("?sort=colour.up").sort).toBeUndefined();
  });
});

describe("route view", () => {
  it("keeps the Scheduled view in the URL and drops an unknown view", () => {
    const r = parseRoute("?view=scheduled");
    expect(r.view).toBe("scheduled");
    expect(routeToSearch(r)).toBe("?view=scheduled");
    expect(parseRoute("?view=folders").view).toBe("folders");
    expect(parseRoute("?view=elsewhere").view).toBeNull();
  });
});
