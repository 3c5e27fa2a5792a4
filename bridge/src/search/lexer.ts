/**
 * Tokenizer for the Gmail-style search language. It only splits the query into positioned
 * tokens (words, quoted phrases, `operator:value` terms, parentheses, `-`, `OR`, `AND`); what
 * an operator's value means is decided by the parser. Every token keeps its 0-based offset in
 * the query so errors can point at the problem.
 */
import { BridgeError } from "../errors";

/** Operator names the language knows (lower case). Some of them are refused with a reason. */
export const OPERATORS = new Set([
  "from",
  "to",
  "cc",
  "bcc",
  "subject",
  "has",
  "is",
  "before",
  "after",
  "older",
  "newer",
  "older_than",
  "newer_than",
  "larger",
  "smaller",
  "size",
  // Gmail operators with no IMAP equivalent: recognised only to explain that they are not
  // supported, rather than silently searching for the text "in:sent".
  "in",
  "label",
  "category",
  "filename",
  "list",
  "deliveredto",
  "rfc822msgid",
  "around",
]);

export type Token =
  | { kind: "lparen"; pos: number }
  | { kind: "rparen"; pos: number }
  /** `-` directly in front of a term, phrase or group. */
  | { kind: "minus"; pos: number }
  | { kind: "or"; pos: number }
  | { kind: "and"; pos: number }
  /** `operator:(`: a group whose bare words take that operator. `pos` is the operator's. */
  | { kind: "fieldGroup"; pos: number; field: string; parenPos: number }
  /**
   * A search term. `field` is set for `operator:value` (lower-cased operator name), absent for
   * a bare word or a quoted phrase. `valuePos` is where the value starts (its opening quote
   * when quoted).
   */
  | {
      kind: "term";
      pos: number;
      field: string | undefined;
      value: string;
      valuePos: number;
      quoted: boolean;
    };

function syntaxError(message: string, position: number): BridgeError {
  return new BridgeError("search_syntax", message, { position });
}

const isSpace = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";
/** Characters that end an unquoted word. */
const isBreak = (c: string): boolean => isSpace(c) || c === "(" || c === ")" || c === '"';

// Control characters other than the whitespace above: refused so nothing odd (a NUL, which IMAP
// cannot carry at all) reaches the server.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of this pattern
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Splits `q` into tokens. Throws a `search_syntax` BridgeError for unbalanced quotes. */
export function tokenize(q: string): Token[] {
  const control = CONTROL.exec(q);
  if (control) throw syntaxError("The search contains a control character.", control.index);

  const tokens: Token[] = [];
  let i = 0;

  /** Reads a quoted string whose opening quote is at `start`; returns its text and end. */
  const readQuoted = (start: number): { text: string; end: number } => {
    const close = q.indexOf('"', start + 1);
    if (close < 0) throw syntaxError("This quote is never closed.", start);
    return { text: q.slice(start + 1, close), end: close + 1 };
  };

  while (i < q.length) {
    const c = q.charAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === "(") {
      tokens.push({ kind: "lparen", pos: i });
      i++;
    } else if (c === ")") {
      tokens.push({ kind: "rparen", pos: i });
      i++;
    } else if (c === "-") {
      // Only reached at a token boundary: dashes inside words ("e-mail") belong to the word.
      const next = q.charAt(i + 1);
      if (next === "" || isSpace(next) || next === ")") {
        throw syntaxError("'-' must be followed directly by what to exclude, as in -lunch.", i);
      }
      tokens.push({ kind: "minus", pos: i });
      i++;
    } else if (c === '"') {
      const { text, end } = readQuoted(i);
      tokens.push({
        kind: "term",
        pos: i,
        field: undefined,
        value: text,
        valuePos: i,
        quoted: true,
      });
      i = end;
    } else {
      const start = i;
      while (i < q.length && !isBreak(q.charAt(i))) i++;
      const word = q.slice(start, i);
      const colon = word.indexOf(":");
      const name = colon > 0 ? word.slice(0, colon).toLowerCase() : "";
      if (word === "OR") {
        tokens.push({ kind: "or", pos: start });
      } else if (word === "AND") {
        tokens.push({ kind: "and", pos: start });
      } else if (!OPERATORS.has(name)) {
        // A bare word, or `foo:bar` with an operator Gmail does not have either: plain text
        // (so times like 12:30 and URLs can be searched).
        tokens.push({
          kind: "term",
          pos: start,
          field: undefined,
          value: word,
          valuePos: start,
          quoted: false,
        });
      } else if (colon === word.length - 1 && q.charAt(i) === "(") {
        tokens.push({ kind: "fieldGroup", pos: start, field: name, parenPos: i });
        i++;
      } else if (colon === word.length - 1 && q.charAt(i) === '"') {
        const { text, end } = readQuoted(i);
        tokens.push({
          kind: "term",
          pos: start,
          field: name,
          value: text,
          valuePos: i,
          quoted: true,
        });
        i = end;
      } else {
        const valuePos = start + colon + 1;
        tokens.push({
          kind: "term",
          pos: start,
          field: name,
          value: word.slice(colon + 1),
          valuePos,
          quoted: false,
        });
      }
    }
  }
  return tokens;
}
