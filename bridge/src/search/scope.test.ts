import { describe, expect, it } from "vitest";
import { BridgeError } from "../errors";
import { parseQuery, parseScopedQuery } from "./parse-query";

function errorOf(q: string): BridgeError {
  try {
    parseScopedQuery(q);
  } catch (err) {
    if (err instanceof BridgeError) return err;
    throw err;
  }
  throw new Error(`no error for ${q}`);
}

describe("parseScopedQuery", () => {
  it("reads in:anywhere and in:NAME as the scope, the rest as the search", () => {
    expect(parseScopedQuery("in:anywhere lunch")).toEqual({
      scope: { kind: "anywhere" },
      search: parseQuery("lunch"),
    });
    expect(parseScopedQuery("from:alice in:Archive")).toEqual({
      scope: { kind: "named", name: "Archive", position: 14 },
      search: parseQuery("from:alice"),
    });
    expect(parseScopedQuery('in:"Old Projects" report').scope).toEqual({
      kind: "named",
      name: "Old Projects",
      position: 3,
    });
    expect(parseScopedQuery("IN:ANYWHERE").search).toEqual({ all: true });
    expect(parseScopedQuery("lunch")).toEqual({
      scope: { kind: "mailbox" },
      search: parseQuery("lunch"),
    });
  });

  it("refuses in: inside parentheses, next to OR/AND, after -, twice or empty", () => {
    for (const [q, pos] of [
      ["(in:Archive lunch)", 1],
      ["lunch OR in:Archive", 9],
      ["in:Archive OR lunch", 0],
      ["lunch AND in:Archive", 10],
      ["-in:Trash lunch", 1],
      ["in:Archive in:Sent", 11],
      ["in: lunch", 0],
    ] as const) {
      const err = errorOf(q);
      expect(err.code, q).toBe("search_syntax");
      expect(err.position, q).toBe(pos);
    }
  });
});
