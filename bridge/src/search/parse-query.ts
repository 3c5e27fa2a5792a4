/**
 * Gmail-style search queries → imapflow `SearchObject` (IMAP SEARCH). A recursive-descent
 * parser over the lexer's tokens, plus the meaning of each operator's value.
 *
 * Grammar (OR binds tighter than the implicit AND, as in Gmail: `a b OR c` is `a AND (b OR c)`):
 *
 *     query   := and? EOF
 *     and     := or ( "AND"? or )*
 *     or      := unary ( "OR" unary )*
 *     unary   := "-" unary | primary
 *     primary := term | "(" and ")" | operator ":(" and ")"
 *
 * Inside `operator:( … )` bare words and phrases take that operator: `from:(alice OR bob)`.
 *
 * Approximations, because IMAP SEARCH has no exact equivalent:
 * - `has:attachment` is `HEADER Content-Type "multipart/mixed"` OR `KEYWORD $HasAttachment`.
 *   Most mail with attachments is multipart/mixed at the top; Dovecot with
 *   `mail_attachment_detection_options = add-flags` also sets `$HasAttachment`. It misses an
 *   attachment sent as the whole message or inside multipart/related only, and counts a
 *   multipart/mixed message without a real attachment.
 * - `before:`/`after:` compare the internal (arrival) date, like Gmail, not the Date header:
 *   `after:D` is SINCE D (on or after D), `before:D` is BEFORE D (strictly before D). Dates are
 *   UTC days. imapflow sends them as OLDER/YOUNGER seconds when the server has WITHIN (Dovecot
 *   does), so the boundary is midnight UTC; without WITHIN the server compares whole days in
 *   its own time zone (RFC 3501).
 * - `older_than:`/`newer_than:` are exact instants relative to `now` with WITHIN; without it
 *   they fall to whole days and the cutoff day counts for both.
 * - `"phrase"` and bare words search TEXT (headers and body), substring matching as the
 *   server does it.
 */
import type { SearchObject } from "imapflow";
import { BridgeError } from "../errors";
import { type Token, tokenize } from "./lexer";
import { type QueryNode, toSearchObject } from "./search-object";

/** Longest query accepted, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 1024;
/** Most search criteria in one query: each one costs the IMAP server a pass over the mailbox. */
export const MAX_TERMS = 64;
/** Deepest nesting of parentheses. */
export const MAX_DEPTH = 16;

/** Which folders a query searches (its `in:` term). */
export type SearchScope =
  /** The folder the list shows (no `in:`). */
  | { kind: "mailbox" }
  /** `in:anywhere`: every subscribed folder but Trash and Junk. */
  | { kind: "anywhere" }
  /** `in:NAME`: the folder NAME (matched against the folder list by the caller). */
  | { kind: "named"; name: string; position: number };

/** A query split into its folder scope and its search criteria. */
export interface ScopedQuery {
  scope: SearchScope;
  search: SearchObject;
}

/**
 * Like parseQuery, and reads one `in:` term as the folders to search: `in:anywhere` or
 * `in:NAME` (quoted when the name has spaces). `in:` applies to the whole query, so it must
 * stand at the top level (not inside parentheses, next to OR/AND, or after `-`), at most once.
 *
 * @throws BridgeError `search_syntax` as parseQuery does, and for a misplaced or repeated `in:`.
 */
export function parseScopedQuery(q: string, opts: ParseQueryOptions = {}): ScopedQuery {
  if (q.length > MAX_QUERY_LENGTH) return { scope: { kind: "mailbox" }, search: parseQuery(q) };
  const tokens = tokenize(q);
  let scope: SearchScope = { kind: "mailbox" };
  let depth = 0;
  const rest: Token[] = [];
  tokens.forEach((token, i) => {
    if (token.kind === "lparen" || token.kind === "fieldGroup") depth++;
    if (token.kind === "rparen") depth--;
    if (token.kind !== "term" || token.field !== "in") {
      rest.push(token);
      return;
    }
    const before = tokens[i - 1]?.kind;
    const after = tokens[i + 1]?.kind;
    const joined = (k: string | undefined) => k === "or" || k === "and" || k === "minus";
    if (depth > 0 || joined(before) || after === "or" || after === "and") {
      throw syntaxError(
        "in: applies to the whole search: put it on its own, outside parentheses, OR, AND and -.",
        token.pos,
      );
    }
    if (scope.kind !== "mailbox") throw syntaxError("Only one in: per search.", token.pos);
    const name = token.value.trim();
    if (name === "") {
      throw syntaxError(
        "in: needs a folder right after the colon, as in in:anywhere or in:Archive.",
        token.pos,
      );
    }
    scope =
      name.toLowerCase() === "anywhere"
        ? { kind: "anywhere" }
        : { kind: "named", name, position: token.valuePos };
  });
  const tree = new Parser(rest, opts.now ?? new Date()).parseQuery();
  return { scope, search: tree === undefined ? { all: true } : toSearchObject(tree) };
}

/** Options for {@link parseQuery}. */
export interface ParseQueryOptions {
  /** The moment `older_than:`/`newer_than:` count back from. Defaults to the current time. */
  now?: Date;
}

/**
 * Parses a Gmail-style query into an imapflow SearchObject for `client.search()`.
 * An empty query matches everything (`{ all: true }`).
 *
 * Operators: `from:` `to:` `cc:` `bcc:` `subject:` `has:attachment` `is:unread|read|starred`
 * `before:`/`after:` (alias `older:`/`newer:`; YYYY/MM/DD or YYYY-MM-DD), `older_than:`/
 * `newer_than:` (Nd, Nm, Ny), `larger:`/`smaller:` (alias `size:` for larger; 1024, 10K, 5M,
 * 1G), `"phrase"`, `-term`, `OR`, `AND`, `( … )`. Values may be quoted: `subject:"q3 report"`.
 * A word with an unknown `name:` prefix is plain text (so `12:30` can be searched).
 *
 * @throws BridgeError `search_syntax` with `position` (0-based offset in `q`, in UTF-16 code
 *   units like a JavaScript string index, so the browser can point at it) when the query
 *   cannot be read: unbalanced quotes or parentheses, a dangling OR/AND/-, an operator without
 *   a value or with a wrong one, an unsupported Gmail operator, or a query too long or complex.
 */
export function parseQuery(q: string, opts: ParseQueryOptions = {}): SearchObject {
  if (q.length > MAX_QUERY_LENGTH) {
    throw syntaxError(
      `The search is too long (at most ${MAX_QUERY_LENGTH} characters).`,
      MAX_QUERY_LENGTH,
    );
  }
  const tree = new Parser(tokenize(q), opts.now ?? new Date()).parseQuery();
  return tree === undefined ? { all: true } : toSearchObject(tree);
}

function syntaxError(message: string, position: number): BridgeError {
  return new BridgeError("search_syntax", message, { position });
}

type TermToken = Extract<Token, { kind: "term" }>;

class Parser {
  private index = 0;
  private terms = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly now: Date,
  ) {}

  /** The whole query, or undefined when it has no terms at all. */
  parseQuery(): QueryNode | undefined {
    if (this.tokens.length === 0) return undefined;
    const node = this.parseAnd(undefined);
    const stray = this.peek();
    if (stray !== undefined) {
      // parseAnd stops only at the end or at a ')' it has no '(' for.
      throw syntaxError("This ')' has no matching '('.", stray.pos);
    }
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }

  private next(): Token | undefined {
    const token = this.tokens[this.index];
    this.index++;
    return token;
  }

  /** Whether `token` can start an operand (a term, a group or a negation). */
  private static startsOperand(token: Token | undefined): boolean {
    return (
      token !== undefined && token.kind !== "rparen" && token.kind !== "or" && token.kind !== "and"
    );
  }

  /** and := or ( "AND"? or )*, up to the end or a ')'. `field` applies to bare words. */
  private parseAnd(field: string | undefined): QueryNode {
    const items: QueryNode[] = [];
    for (
      let token = this.peek();
      token !== undefined && token.kind !== "rparen";
      token = this.peek()
    ) {
      if (token.kind === "and") {
        if (items.length === 0)
          throw syntaxError("AND needs a search term on its left.", token.pos);
        this.next();
        if (!Parser.startsOperand(this.peek())) {
          throw syntaxError("AND needs a search term on its right.", token.pos);
        }
      } else if (token.kind === "or") {
        throw syntaxError("OR needs a search term on its left.", token.pos);
      }
      items.push(this.parseOr(field));
    }
    const [only] = items;
    return items.length === 1 && only !== undefined ? only : { kind: "and", items };
  }

  /** or := unary ( "OR" unary )* */
  private parseOr(field: string | undefined): QueryNode {
    const items = [this.parseUnary(field)];
    for (let token = this.peek(); token?.kind === "or"; token = this.peek()) {
      this.next();
      if (!Parser.startsOperand(this.peek())) {
        throw syntaxError("OR needs a search term on its right.", token.pos);
      }
      items.push(this.parseUnary(field));
    }
    const [only] = items;
    return items.length === 1 && only !== undefined ? only : { kind: "or", items };
  }

  /** unary := "-" unary | primary */
  private parseUnary(field: string | undefined): QueryNode {
    const token = this.peek();
    if (token?.kind === "minus") {
      this.next();
      if (!Parser.startsOperand(this.peek())) {
        throw syntaxError(
          "'-' must be followed directly by what to exclude, as in -lunch.",
          token.pos,
        );
      }
      return { kind: "not", item: this.parseUnary(field) };
    }
    return this.parsePrimary(field);
  }

  /** primary := term | "(" and ")" | operator ":(" and ")" */
  private parsePrimary(field: string | undefined): QueryNode {
    const token = this.next();
    switch (token?.kind) {
      case "term":
        return this.leaf(token, field);
      case "lparen":
        return this.group(token.pos, field);
      case "fieldGroup":
        return this.group(token.parenPos, token.field);
      default:
        // Callers check startsOperand first; kept for the type checker.
        throw syntaxError("A search term is missing here.", token?.pos ?? 0);
    }
  }

  private group(openPos: number, field: string | undefined): QueryNode {
    if (++this.depth > MAX_DEPTH) {
      throw syntaxError(`Too many nested parentheses (at most ${MAX_DEPTH}).`, openPos);
    }
    if (this.peek()?.kind === "rparen") throw syntaxError("These parentheses are empty.", openPos);
    const inner = this.parseAnd(field);
    if (this.next()?.kind !== "rparen") throw syntaxError("This '(' is never closed.", openPos);
    this.depth--;
    return inner;
  }

  private leaf(token: TermToken, groupField: string | undefined): QueryNode {
    if (++this.terms > MAX_TERMS) {
      throw syntaxError(`The search has too many terms (at most ${MAX_TERMS}).`, token.pos);
    }
    return {
      kind: "leaf",
      criteria: criterion(token, token.field ?? groupField ?? "text", this.now),
    };
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const SIZE_UNITS: Readonly<Record<string, number>> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** IMAP's `number` is an unsigned 32-bit integer (RFC 3501 section 4.2). */
const MAX_IMAP_NUMBER = 0xffff_ffff;
/** Dovecot's attachment-detection keyword (`mail_attachment_detection_options = add-flags`). */
const HAS_ATTACHMENT_KEYWORD = "$HasAttachment";

/** The SearchObject for one `field:value` (field "text" for bare words and phrases). */
function criterion(token: TermToken, field: string, now: Date): SearchObject {
  const { value, valuePos } = token;
  const raw = value.trim();
  if (raw === "") {
    if (token.quoted) throw syntaxError("These quotes are empty.", valuePos);
    throw syntaxError(
      `${field}: needs a value right after the colon, as in ${example(field)}.`,
      token.pos,
    );
  }
  const bad = (what: string): BridgeError =>
    syntaxError(`${field}: needs ${what}, as in ${example(field)}; "${raw}" is not one.`, valuePos);

  switch (field) {
    case "text":
      return { text: value };
    case "from":
    case "to":
    case "cc":
    case "bcc":
    case "subject":
      return { [field]: value };
    case "has":
      if (raw.toLowerCase() === "attachment") {
        return {
          or: [
            { header: { "Content-Type": "multipart/mixed" } },
            { keyword: HAS_ATTACHMENT_KEYWORD },
          ],
        };
      }
      throw syntaxError(`has: only supports has:attachment; "${raw}" is not supported.`, valuePos);
    case "is":
      switch (raw.toLowerCase()) {
        case "unread":
          return { seen: false };
        case "read":
          return { seen: true };
        case "starred":
          return { flagged: true };
        default:
          throw syntaxError(
            `is: can be unread, read or starred; "${raw}" is not one of them.`,
            valuePos,
          );
      }
    case "before":
    case "older": {
      const day = parseDay(raw);
      if (day === undefined) throw bad("a date");
      return { before: day };
    }
    case "after":
    case "newer": {
      const day = parseDay(raw);
      if (day === undefined) throw bad("a date");
      return { since: day };
    }
    case "older_than":
    case "newer_than": {
      const cutoff = parseAge(raw, now);
      if (cutoff === undefined) throw bad("an age in days, months or years");
      if (cutoff.getUTCFullYear() < 1900) {
        throw syntaxError(
          `${field}: reaches back too far; "${raw}" is before the year 1900.`,
          valuePos,
        );
      }
      const instant = cutoff.toISOString();
      return field === "older_than" ? { before: instant } : { since: instant };
    }
    case "larger":
    case "size":
    case "smaller": {
      const bytes = parseSize(raw);
      if (bytes === undefined) throw bad("a size");
      if (bytes < 1) throw syntaxError(`${field}: needs a size of at least 1 byte.`, valuePos);
      if (bytes > MAX_IMAP_NUMBER)
        throw syntaxError(`${field}: the size is too large (at most 4G).`, valuePos);
      return field === "smaller" ? { smaller: bytes } : { larger: bytes };
    }
    default:
      // in:, label:, filename:, … : Gmail operators with no IMAP SEARCH equivalent.
      throw syntaxError(
        `${field}: is not supported here; put the whole term in quotes to search for it as text.`,
        token.pos,
      );
  }
}

function example(field: string): string {
  switch (field) {
    case "before":
    case "after":
    case "older":
    case "newer":
      return `${field}:2024/01/31`;
    case "older_than":
    case "newer_than":
      return `${field}:7d`;
    case "larger":
    case "smaller":
    case "size":
      return `${field}:5M`;
    case "has":
      return "has:attachment";
    case "is":
      return "is:unread";
    default:
      return `${field}:alice`;
  }
}

/** YYYY/MM/DD or YYYY-MM-DD (month and day may have one digit) → "YYYY-MM-DD", if a real day. */
function parseDay(text: string): string | undefined {
  const m = /^(\d{4})([/-])(\d{1,2})\2(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[3]), Number(m[4])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return undefined;
  // Day 0 of the next month is the last day of this one.
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return `${m[1]}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** `7d`, `2m`, `1y` → the moment that long before `now` (calendar months and years, in UTC). */
function parseAge(text: string, now: Date): Date | undefined {
  const m = /^(\d{1,5})([dmy])$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const cutoff = new Date(now.getTime());
  switch (m[2]?.toLowerCase()) {
    case "d":
      return new Date(now.getTime() - n * DAY_MS);
    case "m":
      cutoff.setUTCMonth(cutoff.getUTCMonth() - n);
      return cutoff;
    default:
      cutoff.setUTCFullYear(cutoff.getUTCFullYear() - n);
      return cutoff;
  }
}

/** `1024`, `10K`, `1.5M`, `2GB` (binary units, case-insensitive) → bytes. */
function parseSize(text: string): number | undefined {
  const m = /^(\d{1,12}(?:\.\d{1,6})?)([kmg]?)b?$/i.exec(text);
  const unit = SIZE_UNITS[m?.[2]?.toLowerCase() ?? ""];
  if (!m || unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}
