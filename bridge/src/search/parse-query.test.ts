import type { ImapFlow, SearchObject } from "imapflow";
import compileCommand from "imapflow/lib/handler/imap-compiler.js";
import { searchCompiler } from "imapflow/lib/search-compiler.js";
import { describe, expect, it } from "vitest";
import { BridgeError } from "../errors";
import { MAX_DEPTH, MAX_QUERY_LENGTH, MAX_TERMS, parseQuery } from "./index";

const NOW = new Date("2024-03-10T15:00:00.000Z");
const parse = (q: string): SearchObject => parseQuery(q, { now: NOW });

/**
 * The IMAP SEARCH arguments imapflow's own compiler makes of the parsed query, for a server
 * without extensions (so dates stay dates instead of WITHIN seconds).
 */
function wire(q: string): string {
  // A stand-in for the two connection fields searchCompiler reads.
  const connection = { capabilities: new Map(), enabled: new Set() } as unknown as ImapFlow;
  const attributes = searchCompiler(connection, parse(q));
  const command = compileCommand({ tag: "A1", command: "SEARCH", attributes });
  return command.toString("utf8").replace(/^A1 SEARCH /, "");
}

/** The BridgeError parseQuery throws for `q`. */
function failure(q: string): { code: string; message: string; position: number | undefined } {
  try {
    parse(q);
  } catch (err) {
    if (!(err instanceof BridgeError)) throw err;
    return { code: err.code, message: err.message, position: err.position };
  }
  throw new Error(`expected ${JSON.stringify(q)} to be refused`);
}

describe("operators", () => {
  it.each([
    ["from:alice@example.com", { from: "alice@example.com" }],
    ["to:bob", { to: "bob" }],
    ["cc:carol", { cc: "carol" }],
    ["bcc:dave", { bcc: "dave" }],
    ["subject:lunch", { subject: "lunch" }],
    ["FROM:Alice", { from: "Alice" }],
  ])("%s", (q, expected) => {
    expect(parse(q)).toEqual(expected);
  });

  it("has:attachment approximates with the multipart/mixed header or Dovecot's keyword", () => {
    expect(parse("has:attachment")).toEqual({
      or: [{ header: { "Content-Type": "multipart/mixed" } }, { keyword: "$HasAttachment" }],
    });
    expect(wire("has:attachment")).toBe(
      "OR HEADER CONTENT-TYPE multipart/mixed KEYWORD $HasAttachment",
    );
  });

  it.each([
    ["is:unread", { seen: false }, "UNSEEN"],
    ["is:read", { seen: true }, "SEEN"],
    ["is:starred", { flagged: true }, "FLAGGED"],
    ["is:UNREAD", { seen: false }, "UNSEEN"],
  ])("%s", (q, expected, imap) => {
    expect(parse(q)).toEqual(expected);
    expect(wire(q)).toBe(imap);
  });

  it.each([
    ["before:2024/01/31", { before: "2024-01-31" }, "BEFORE 31-Jan-2024"],
    ["before:2024-01-31", { before: "2024-01-31" }, "BEFORE 31-Jan-2024"],
    ["after:2024/1/5", { since: "2024-01-05" }, "SINCE 05-Jan-2024"],
    ["older:2023/12/1", { before: "2023-12-01" }, "BEFORE 01-Dec-2023"],
    ["newer:2024-02-29", { since: "2024-02-29" }, "SINCE 29-Feb-2024"],
  ])("%s compares the internal date", (q, expected, imap) => {
    expect(parse(q)).toEqual(expected);
    expect(wire(q)).toBe(imap);
  });

  it.each([
    ["older_than:2d", { before: "2024-03-08T15:00:00.000Z" }],
    ["newer_than:7d", { since: "2024-03-03T15:00:00.000Z" }],
    ["older_than:1m", { before: "2024-02-10T15:00:00.000Z" }],
    ["newer_than:2y", { since: "2022-03-10T15:00:00.000Z" }],
    ["older_than:3D", { before: "2024-03-07T15:00:00.000Z" }],
  ])("%s counts back from now", (q, expected) => {
    expect(parse(q)).toEqual(expected);
  });

  it("older_than/newer_than fall back to whole days without WITHIN", () => {
    // imapflow moves a BEFORE with a time of day to the next day, so the cutoff day is included.
    expect(wire("older_than:2d")).toBe("BEFORE 09-Mar-2024");
    expect(wire("newer_than:2d")).toBe("SINCE 08-Mar-2024");
  });

  it("older_than/newer_than default to the current time", () => {
    const before = Date.now();
    const result = parseQuery("newer_than:1d");
    const since = typeof result.since === "string" ? Date.parse(result.since) : Number.NaN;
    expect(since).toBeGreaterThanOrEqual(before - 86_400_000);
    expect(since).toBeLessThanOrEqual(Date.now() - 86_400_000);
  });

  it.each([
    ["larger:1024", { larger: 1024 }],
    ["larger:10K", { larger: 10 * 1024 }],
    ["larger:10kb", { larger: 10 * 1024 }],
    ["size:5M", { larger: 5 * 1024 * 1024 }],
    ["smaller:1.5M", { smaller: 1.5 * 1024 * 1024 }],
    ["smaller:2G", { smaller: 2 * 1024 ** 3 }],
  ])("%s", (q, expected) => {
    expect(parse(q)).toEqual(expected);
  });

  it("sizes become IMAP numbers", () => {
    expect(wire("larger:10K smaller:5M")).toBe("LARGER 10240 SMALLER 5242880");
  });
});

describe("text, phrases and quoting", () => {
  it("a bare word searches TEXT", () => {
    expect(parse("invoice")).toEqual({ text: "invoice" });
    expect(wire("invoice")).toBe("TEXT invoice");
  });

  it("a quoted phrase is one TEXT criterion", () => {
    expect(parse('"quarterly report"')).toEqual({ text: "quarterly report" });
    expect(wire('"quarterly report"')).toBe('TEXT "quarterly report"');
  });

  it("operator values may be quoted", () => {
    expect(parse('subject:"quarterly report"')).toEqual({ subject: "quarterly report" });
    expect(parse('from:"Alice Liddell"')).toEqual({ from: "Alice Liddell" });
    expect(parse('is:"unread"')).toEqual({ seen: false });
  });

  it("several words are ANDed, each its own TEXT criterion", () => {
    expect(wire("quarterly report")).toBe("TEXT quarterly TEXT report");
    // A SearchObject holds one TEXT key: the others nest (see search-object.ts).
    expect(wire("a b c")).toBe("TEXT a (TEXT b TEXT c)");
  });

  it("an unknown operator is plain text, as in Gmail", () => {
    expect(parse("foo:bar")).toEqual({ text: "foo:bar" });
    expect(parse("12:30")).toEqual({ text: "12:30" });
    expect(parse("https://example.com/x")).toEqual({ text: "https://example.com/x" });
  });

  it("a value keeps colons and dashes after the first colon", () => {
    expect(parse("subject:re:hello")).toEqual({ subject: "re:hello" });
    expect(parse("subject:-draft")).toEqual({ subject: "-draft" });
    expect(parse("e-mail")).toEqual({ text: "e-mail" });
  });

  it("lower-case or/and are words", () => {
    expect(parse("or")).toEqual({ text: "or" });
    expect(parse('"OR"')).toEqual({ text: "OR" });
  });

  it("an empty query matches everything", () => {
    expect(parse("")).toEqual({ all: true });
    expect(parse("  \t\n ")).toEqual({ all: true });
  });
});

describe("non-ASCII", () => {
  it.each([
    ["café", { text: "café" }],
    ["from:Łukasz", { from: "Łukasz" }],
    ['subject:"日本語 テスト"', { subject: "日本語 テスト" }],
    ["-Ärger", { not: { text: "Ärger" } }],
    ["emoji:🎉 🎉", { text: "emoji:🎉", or: [{ text: "🎉" }] }],
  ])("%s", (q, expected) => {
    expect(parse(q)).toEqual(expected);
  });

  it("is sent as a UTF-8 literal with CHARSET UTF-8", () => {
    expect(wire("subject:café")).toBe("CHARSET UTF-8 SUBJECT {5}\r\ncafé");
  });
});

describe("negation", () => {
  it.each([
    ["-lunch", { not: { text: "lunch" } }, "NOT TEXT lunch"],
    ["-from:bob", { not: { from: "bob" } }, "NOT FROM bob"],
    ['-"free money"', { not: { text: "free money" } }, 'NOT TEXT "free money"'],
    ["-is:unread", { seen: true }, "SEEN"],
    ["-is:read", { seen: false }, "UNSEEN"],
    ["-is:starred", { flagged: false }, "UNFLAGGED"],
    ["--lunch", { text: "lunch" }, "TEXT lunch"],
    ["-larger:5M", { not: { larger: 5 * 1024 * 1024 } }, "NOT LARGER 5242880"],
  ])("%s", (q, expected, imap) => {
    expect(parse(q)).toEqual(expected);
    expect(wire(q)).toBe(imap);
  });

  it("negates a group as a whole", () => {
    expect(parse("-(a OR b)")).toEqual({ not: { or: [{ text: "a" }, { text: "b" }] } });
    expect(wire("-(from:a subject:b)")).toBe("NOT (FROM a SUBJECT b)");
    expect(wire("-has:attachment")).toBe(
      "NOT OR HEADER CONTENT-TYPE multipart/mixed KEYWORD $HasAttachment",
    );
  });

  it("several negations are all kept", () => {
    expect(wire("-a -b")).toBe("NOT TEXT a NOT TEXT b");
  });
});

describe("OR and grouping", () => {
  it("OR between two terms", () => {
    expect(parse("from:alice OR from:bob")).toEqual({ or: [{ from: "alice" }, { from: "bob" }] });
    expect(wire("from:alice OR from:bob")).toBe("OR FROM alice FROM bob");
  });

  it("chains of OR are one flat list, compiled into an OR tree", () => {
    expect(parse("a OR b OR c")).toEqual({ or: [{ text: "a" }, { text: "b" }, { text: "c" }] });
    expect(parse("(a OR b) OR c")).toEqual({ or: [{ text: "a" }, { text: "b" }, { text: "c" }] });
    expect(wire("a OR b OR c OR d")).toBe("OR OR TEXT a TEXT b OR TEXT c TEXT d");
  });

  it("OR binds tighter than the implicit AND", () => {
    expect(wire("a b OR c d")).toBe("TEXT d (TEXT a OR TEXT b TEXT c)");
    expect(wire("from:a subject:b OR subject:c is:unread")).toBe(
      "FROM a OR SUBJECT b SUBJECT c UNSEEN",
    );
  });

  it("parentheses group", () => {
    expect(parse("(from:alice OR from:bob) is:unread")).toEqual({
      or: [{ from: "alice" }, { from: "bob" }],
      seen: false,
    });
    expect(wire("(a b) OR c")).toBe("OR (TEXT a TEXT b) TEXT c");
    expect(parse("((a))")).toEqual({ text: "a" });
  });

  it("explicit AND is the same as the implicit one", () => {
    expect(parse("from:alice AND is:unread")).toEqual(parse("from:alice is:unread"));
    expect(parse("a AND b OR c")).toEqual(parse("a b OR c"));
  });

  it("operator:( … ) gives bare words inside that operator", () => {
    expect(parse("from:(alice OR bob)")).toEqual({ or: [{ from: "alice" }, { from: "bob" }] });
    expect(wire("subject:(dinner movie)")).toBe("SUBJECT dinner SUBJECT movie");
    expect(parse('subject:(-lunch "team meeting")')).toEqual({
      not: { subject: "lunch" },
      subject: "team meeting",
    });
    expect(parse("is:(unread OR starred)")).toEqual({ or: [{ seen: false }, { flagged: true }] });
    expect(parse("from:(alice to:bob)")).toEqual({ from: "alice", to: "bob" });
  });
});

describe("combinations", () => {
  it("the common case", () => {
    expect(parse("from:alice is:unread -subject:lunch")).toEqual({
      from: "alice",
      seen: false,
      not: { subject: "lunch" },
    });
    expect(wire("from:alice is:unread -subject:lunch")).toBe("FROM alice UNSEEN NOT SUBJECT lunch");
  });

  it("dates, sizes and attachments together", () => {
    expect(
      wire("after:2024/01/01 before:2024/02/01 larger:1M has:attachment to:team -is:starred"),
    ).toBe(
      "SINCE 01-Jan-2024 BEFORE 01-Feb-2024 LARGER 1048576 OR HEADER CONTENT-TYPE multipart/mixed KEYWORD $HasAttachment TO team UNFLAGGED",
    );
  });

  it("repeated keys are all ANDed, however many", () => {
    expect(wire("from:a from:b from:c")).toBe("FROM a (FROM b FROM c)");
    expect(wire("(a OR b) (c OR d) (e OR f)")).toBe(
      "OR TEXT a TEXT b NOT NOT (OR TEXT c TEXT d NOT NOT OR TEXT e TEXT f)",
    );
    expect(wire("-a -b (c OR d) (e OR f) g h")).toBe(
      "(NOT TEXT a OR TEXT c TEXT d TEXT g) NOT NOT (NOT TEXT b OR TEXT e TEXT f TEXT h)",
    );
  });

  it("a query of the maximum number of words nests only logarithmically deep", () => {
    const q = Array.from({ length: MAX_TERMS }, (_, i) => `w${i}`).join(" ");
    const command = wire(q);
    for (let i = 0; i < MAX_TERMS; i++) expect(command).toMatch(new RegExp(`TEXT w${i}(?![0-9])`));
    let depth = 0;
    let deepest = 0;
    for (const c of command) {
      if (c === "(") deepest = Math.max(deepest, ++depth);
      if (c === ")") depth--;
    }
    expect(deepest).toBeLessThanOrEqual(Math.log2(MAX_TERMS) + 1);
  });
});

describe("errors say what is wrong and where", () => {
  it.each([
    // [query, position, message fragment]
    ["larger:abc", 7, "larger: needs a size"],
    ["smaller:10X", 8, "smaller: needs a size"],
    ["larger:0", 7, "at least 1 byte"],
    ["larger:5G", 7, "too large"],
    ["before:2024-13-45", 7, "before: needs a date"],
    ["after:2023/02/29", 6, "after: needs a date"],
    ["before:yesterday", 7, "before: needs a date"],
    ["before:1850/01/01", 7, "before: needs a date"],
    ["after:2024/01-05", 6, "after: needs a date"],
    ["older_than:5x", 11, "older_than: needs an age"],
    ["newer_than:d", 11, "newer_than: needs an age"],
    ["older_than:200y", 11, "too far"],
    ["is:nonsense", 3, "is: can be unread, read or starred"],
    ["a is:", 2, "is: needs a value"],
    ["has:drive", 4, "has: only supports has:attachment"],
    ["from:", 0, "from: needs a value"],
    ["x from: alice", 2, "from: needs a value"],
    ['from:""', 5, "quotes are empty"],
    ['a ""', 2, "quotes are empty"],
    ["(from:)", 1, "from: needs a value"],
    ["in:sent", 0, "in: is not supported"],
    ["lunch label:work", 6, "label: is not supported"],
    ['a "quarterly report', 2, "quote is never closed"],
    ['subject:"quarterly report', 8, "quote is never closed"],
    ["(a OR b", 0, "'(' is never closed"],
    ["x (a (b)", 2, "'(' is never closed"],
    ["from:(alice", 5, "'(' is never closed"],
    ["a OR b)", 6, "')' has no matching '('"],
    [")", 0, "')' has no matching '('"],
    ["a ()", 2, "parentheses are empty"],
    ["subject:()", 8, "parentheses are empty"],
    ["OR a", 0, "OR needs a search term on its left"],
    ["a OR", 2, "OR needs a search term on its right"],
    ["a OR OR b", 2, "OR needs a search term on its right"],
    ["(a OR) b", 3, "OR needs a search term on its right"],
    ["a (OR b)", 3, "OR needs a search term on its left"],
    ["a AND", 2, "AND needs a search term on its right"],
    ["AND a", 0, "AND needs a search term on its left"],
    ["a - b", 2, "'-' must be followed directly"],
    ["a -", 2, "'-' must be followed directly"],
    ["(a -)", 3, "'-' must be followed directly"],
    ["a -OR b", 2, "'-' must be followed directly"],
    ["a\u0000b", 1, "control character"],
  ])("%j at %i", (q, position, fragment) => {
    const err = failure(q);
    expect(err.code).toBe("search_syntax");
    expect(err.position).toBe(position);
    expect(err.message).toContain(fragment);
  });

  it("a query too long", () => {
    const err = failure("a".repeat(MAX_QUERY_LENGTH + 1));
    expect(err.position).toBe(MAX_QUERY_LENGTH);
    expect(err.message).toContain("too long");
  });

  it("too many terms points at the first term over the limit", () => {
    const words = Array.from({ length: MAX_TERMS + 1 }, () => "ab");
    const err = failure(words.join(" "));
    expect(err.position).toBe(MAX_TERMS * 3);
    expect(err.message).toContain("too many terms");
  });

  it("nesting too deep points at the first '(' over the limit", () => {
    const q = `${"(".repeat(MAX_DEPTH + 1)}a${")".repeat(MAX_DEPTH + 1)}`;
    const err = failure(q);
    expect(err.position).toBe(MAX_DEPTH);
    expect(err.message).toContain("nested");
  });

  it("the error is a BridgeError whose message quotes the bad value", () => {
    expect(() => parse("larger:abc")).toThrow(BridgeError);
    expect(failure("is:nonsense").message).toContain('"nonsense"');
  });
});
