/**
 * Search: Gmail-style queries parsed into imapflow SearchObjects (IMAP SEARCH), with their
 * folder scope (`in:anywhere`, `in:NAME`).
 */
export {
  MAX_DEPTH,
  MAX_QUERY_LENGTH,
  MAX_TERMS,
  type ParseQueryOptions,
  parseQuery,
  parseScopedQuery,
  type ScopedQuery,
  type SearchScope,
} from "./parse-query";
