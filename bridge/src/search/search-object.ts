/**
 * Builds imapflow `SearchObject`s from the parsed query tree. A SearchObject ANDs its keys, so
 * the one awkward case is an AND of criteria that share a key (`foo bar` is two TEXT criteria);
 * `allOf` solves it by nesting, relying on how imapflow's search compiler emits a one-element
 * `or` (the operand alone, parenthesised when it has several keys) and on a double `not`. The
 * unit tests pin that behaviour by compiling with imapflow's own search compiler.
 */
import type { SearchObject } from "imapflow";

/** The query tree the parser produces. Leaves are finished SearchObject fragments. */
export type QueryNode =
  | { kind: "leaf"; criteria: SearchObject }
  | { kind: "and"; items: QueryNode[] }
  | { kind: "or"; items: QueryNode[] }
  | { kind: "not"; item: QueryNode };

/** Compiles a query tree into one SearchObject. */
export function toSearchObject(node: QueryNode): SearchObject {
  switch (node.kind) {
    case "leaf":
      return node.criteria;
    case "and":
      return allOf(node.items.map(toSearchObject));
    case "or":
      return { or: node.items.flatMap((item) => orOperands(toSearchObject(item))) };
    case "not":
      return negate(toSearchObject(node.item));
  }
}

/** `(a OR b) OR c` is `a OR b OR c`: one flat list keeps the IMAP OR tree balanced. */
function orOperands(obj: SearchObject): SearchObject[] {
  const keys = Object.keys(obj);
  return keys.length === 1 && keys[0] === "or" && obj.or !== undefined ? obj.or : [obj];
}

/** NOT, with the two simplifications that keep the IMAP command readable. */
function negate(obj: SearchObject): SearchObject {
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    // -is:unread is SEEN rather than NOT UNSEEN.
    if (typeof obj.seen === "boolean") return { seen: !obj.seen };
    if (typeof obj.flagged === "boolean") return { flagged: !obj.flagged };
    // --x is x.
    if (obj.not !== undefined) return obj.not;
  }
  return { not: obj };
}

/**
 * The conjunction of `parts` (each non-empty) as one SearchObject. Parts are packed first-fit
 * into layers whose keys do not collide; the layers are then joined pairwise, as a balanced
 * tree, so N repeated keys (N bare words) nest only log2(N) deep in the IMAP command.
 */
export function allOf(parts: readonly SearchObject[]): SearchObject {
  const layers: SearchObject[] = [];
  for (const part of parts) {
    const layer = layers.find((candidate) => disjoint(candidate, part));
    if (layer) Object.assign(layer, part);
    else layers.push({ ...part });
  }
  return joinLayers(layers);
}

function joinLayers(layers: readonly SearchObject[]): SearchObject {
  if (layers.length <= 1) return layers[0] ?? {};
  const mid = Math.floor(layers.length / 2);
  return both(joinLayers(layers.slice(0, mid)), joinLayers(layers.slice(mid)));
}

/**
 * `a AND b` as one SearchObject. When their keys collide, one is hung under a key the other
 * leaves free: `or: [x]` (imapflow compiles a one-element OR as its operand alone,
 * parenthesised when it has several keys) or `not: { not: x }`.
 */
function both(a: SearchObject, b: SearchObject): SearchObject {
  if (disjoint(a, b)) return { ...a, ...b };
  if (a.or === undefined) return { ...a, or: [b] };
  if (b.or === undefined) return { ...b, or: [a] };
  if (a.not === undefined) return { ...a, not: { not: b } };
  if (b.not === undefined) return { ...b, not: { not: a } };
  return { or: [a], not: { not: b } };
}

function disjoint(a: SearchObject, b: SearchObject): boolean {
  return !Object.keys(b).some((key) => Object.hasOwn(a, key));
}
