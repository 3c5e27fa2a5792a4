import type { TRule } from "@ferry/protocol";
import { ZRule } from "@ferry/protocol";
import { describe, expect, it } from "vitest";
import { FerryError } from "./errors";
import {
  blankAction,
  blankRule,
  cleanRule,
  listIdOf,
  ruleLike,
  ruleProblems,
  rulesFailure,
} from "./rules";

function rule(patch: Partial<TRule>): TRule {
  return { ...blankRule(), ...patch };
}

describe("ruleProblems", () => {
  it("refuses a forward to an invalid address, and accepts a valid one", () => {
    const bad = rule({
      conditions: [{ field: "from", match: "contains", value: "boss", not: false }],
      actions: [{ type: "forward", address: "not an address", keepCopy: true }],
    });
    expect(ruleProblems(bad)).toEqual({ a0: "Enter an email address like name@example.com." });
    const good = rule({
      ...bad,
      actions: [{ type: "forward", address: "a@b.test", keepCopy: true }],
    });
    expect(ruleProblems(good)).toEqual({});
    expect(ZRule.safeParse(good).success).toBe(true);
  });

  it("asks for a value, a folder, a header name and a keyword the server accepts", () => {
    const r = rule({
      conditions: [
        { field: "subject", match: "is", value: "  ", not: false },
        { field: "header", name: "Bad Name:", match: "contains", value: "x", not: false },
      ],
      actions: [blankAction("move"), { type: "keyword", keyword: "two words" }],
    });
    expect(Object.keys(ruleProblems(r)).sort()).toEqual(["a0", "a1", "c0", "c1name"]);
  });
});

describe("Filter messages like this", () => {
  const envelope = {
    date: null,
    subject: "s",
    from: [{ name: "Shop", address: "orders@shop.test" }],
    sender: [],
    replyTo: [],
    to: [],
    cc: [],
    bcc: [],
    messageId: null,
    inReplyTo: null,
  };

  it("prefills List-Id for list mail, else From", () => {
    expect(ruleLike({ envelope, listId: "Weekly <weekly.lists.test>" }).conditions).toEqual([
      { field: "list-id", match: "contains", value: "weekly.lists.test", not: false },
    ]);
    expect(ruleLike({ envelope, listId: null }).conditions).toEqual([
      { field: "from", match: "contains", value: "orders@shop.test", not: false },
    ]);
  });

  it("reads the id of a List-Id value with or without a phrase", () => {
    expect(listIdOf("Team news <news.x.test>")).toBe("news.x.test");
    expect(listIdOf("news.x.test")).toBe("news.x.test");
    expect(listIdOf("  ")).toBeNull();
    expect(listIdOf(undefined)).toBeNull();
  });
});

it("cleanRule trims what is typed", () => {
  const r = cleanRule(
    rule({
      name: " n ",
      conditions: [{ field: "header", name: " X-Tag ", match: "is", value: " v ", not: false }],
      actions: [{ type: "forward", address: " a@b.test ", keepCopy: false }],
    }),
  );
  expect(r.name).toBe("n");
  expect(r.conditions[0]).toMatchObject({ name: "X-Tag", value: "v" });
  expect(r.actions[0]).toMatchObject({ address: "a@b.test" });
});

it("shows the server's reason when it rejects the script, and the catalog's words otherwise", () => {
  const rejected = new FerryError(
    "script_rejected",
    "The server rejected the rules: line 4: unknown command",
  );
  expect(rulesFailure(rejected)).toBe(
    "The mail server did not accept these filters. The server rejected the rules: line 4: unknown command",
  );
  expect(rulesFailure(new FerryError("sieve_unavailable", "raw server text"))).toBe(
    "the server's filters could not be reached",
  );
});
