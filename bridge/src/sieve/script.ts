/**
 * Ferry's Sieve script: generated from structured rules (packages/protocol rules.ts), with a
 * machine-readable header holding those rules, so that reading the script back gives exactly
 * the rules saved. Nothing else of the script is ever parsed.
 *
 * Every user-typed text becomes a Sieve quoted string (RFC 5228 §2.4.2): `\` and `"` escaped,
 * every line break written as CRLF (the only line break a quoted string may hold), NUL dropped.
 * The `variables` and `encoded-character` extensions are never required, so `${…}` in a value
 * stays literal. The header is base64 of the rules' JSON on comment lines: no text of a rule
 * appears there as such, so none can end the comment.
 */
import {
  type TRule,
  type TRuleAction,
  type TRuleCondition,
  type TRuleSet,
  type TVacation,
  ZRuleSet,
} from "@ferry/protocol";

/** Starts each header line; the lines together hold base64 of the rule set's JSON. */
const HEADER_PREFIX = "# ferry-rules-v1: ";
const HEADER_LINE_CHARS = 76;

/** A Sieve quoted string (RFC 5228 §2.4.2) holding `value`. */
export function quote(value: string): string {
  const text = value
    .replace(/\0/g, "")
    .replace(/\r\n|\r|\n/g, "\r\n")
    .replace(/[\\"]/g, (c) => `\\${c}`);
  return `"${text}"`;
}

/** A string list (§2.4.2.1). */
function list(values: readonly string[]): string {
  return `[${values.map(quote).join(", ")}]`;
}

/** Text of a header value compared by a test: one line, as headers are unfolded. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\0]+/g, " ");
}

interface Needs {
  add(extension: string): void;
}

function test(c: TRuleCondition, needs: Needs): string {
  const inner = (() => {
    switch (c.field) {
      case "from":
      case "to": {
        const headers = c.field === "from" ? ["from"] : ["to", "cc"];
        // contains looks at the whole field (names too); is and matches at the addresses
        return c.match === "contains"
          ? `header :contains ${list(headers)} ${quote(oneLine(c.value))}`
          : `address :all :${c.match} ${list(headers)} ${quote(oneLine(c.value))}`;
      }
      case "subject":
      case "list-id":
        return `header :${c.match} ${quote(c.field)} ${quote(oneLine(c.value))}`;
      case "header":
        return `header :${c.match} ${quote(c.name)} ${quote(oneLine(c.value))}`;
      case "size":
        return `size :${c.over ? "over" : "under"} ${c.bytes}`;
      case "attachment":
        needs.add("mime");
        return `header :mime :anychild :contains "Content-Disposition" "attachment"`;
    }
  })();
  return c.not ? `not ${inner}` : inner;
}

const ACTION_ORDER: Record<TRuleAction["type"], number> = {
  "mark-read": 0,
  star: 0,
  keyword: 0,
  copy: 1,
  move: 1,
  forward: 2,
  delete: 3,
  stop: 4,
};

function action(a: TRuleAction, needs: Needs): string {
  switch (a.type) {
    case "move":
      needs.add("fileinto");
      return `fileinto ${quote(a.folder)};`;
    case "copy":
      needs.add("fileinto");
      needs.add("copy");
      return `fileinto :copy ${quote(a.folder)};`;
    case "mark-read":
      needs.add("imap4flags");
      return `addflag "\\\\Seen";`;
    case "star":
      needs.add("imap4flags");
      return `addflag "\\\\Flagged";`;
    case "keyword":
      needs.add("imap4flags");
      return `addflag ${quote(a.keyword)};`;
    case "forward":
      if (a.keepCopy) needs.add("copy");
      return `redirect ${a.keepCopy ? ":copy " : ""}${quote(a.address)};`;
    case "delete":
      return "discard;";
    case "stop":
      return "stop;";
  }
}

function rule(r: TRule, needs: Needs): string {
  const tests = r.conditions.map((c) => test(c, needs));
  const cond =
    tests.length === 1
      ? (tests[0] as string)
      : `${r.match === "all" ? "allof" : "anyof"}(${tests.join(", ")})`;
  // flags first, so they apply to the copies filed after them (RFC 5232 §3)
  const actions = [...r.actions]
    .sort((a, b) => ACTION_ORDER[a.type] - ACTION_ORDER[b.type])
    .map((a) => `  ${action(a, needs)}`);
  return `if ${cond} {\r\n${actions.join("\r\n")}\r\n}`;
}

function vacation(v: TVacation, email: string, needs: Needs): string {
  needs.add("vacation");
  const addresses = [...new Set([email, ...v.addresses])];
  const reply = [
    "vacation",
    `:days ${v.days}`,
    `:subject ${quote(oneLine(v.subject))}`,
    `:addresses ${list(addresses)}`,
    quote(v.message),
  ].join(" ");
  const dates: string[] = [];
  if (v.start !== null) dates.push(`currentdate :value "ge" "date" ${quote(v.start)}`);
  if (v.end !== null) dates.push(`currentdate :value "le" "date" ${quote(v.end)}`);
  if (dates.length === 0) return `${reply};`;
  needs.add("date");
  needs.add("relational");
  return `if allof(${dates.join(", ")}) {\r\n  ${reply};\r\n}`;
}

/** The header lines holding `set` (base64 of its JSON). */
function header(set: TRuleSet): string {
  const data = Buffer.from(JSON.stringify(set), "utf8").toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += HEADER_LINE_CHARS) {
    lines.push(`${HEADER_PREFIX}${data.slice(i, i + HEADER_LINE_CHARS)}`);
  }
  if (lines.length === 0) lines.push(HEADER_PREFIX);
  return lines.join("\r\n");
}

/**
 * Ferry's script for `set`: the header, the `require` of the extensions used, the vacation reply
 * first (so no rule's `stop` or `discard` keeps it from answering), then the enabled rules in
 * order. `email` is the account's own address, always one the vacation reply answers for.
 */
export function generateScript(set: TRuleSet, email: string): string {
  const used = new Set<string>();
  const needs: Needs = { add: (e) => used.add(e) };
  const body: string[] = [];
  if (set.vacation.enabled) body.push(vacation(set.vacation, email, needs));
  for (const r of set.rules) if (r.enabled) body.push(rule(r, needs));
  const out = [
    "# Filters and vacation reply managed by Ferry: change them in Ferry, not here.",
    header(set),
  ];
  if (used.size > 0) out.push(`require ${list([...used].sort())};`);
  out.push(...body);
  return `${out.join("\r\n")}\r\n`;
}

/**
 * The rules a Ferry script holds, read from its header; null when the header is missing or does
 * not hold valid rules (a script edited elsewhere).
 */
export function parseScriptHeader(script: string): TRuleSet | null {
  const data = script
    .split(/\r?\n/)
    .filter((line) => line.startsWith(HEADER_PREFIX))
    .map((line) => line.slice(HEADER_PREFIX.length))
    .join("");
  if (data === "" || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return null;
  try {
    const parsed = ZRuleSet.safeParse(JSON.parse(Buffer.from(data, "base64").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
