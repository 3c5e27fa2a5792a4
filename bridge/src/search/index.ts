/**
 * Search: Gmail-style queries parsed into imapflow SearchObjects (IMAP SEARCH).
 */
export {
  MAX_DEPTH,
  MAX_QUERY_LENGTH,
  MAX_TERMS,
  type ParseQueryOptions,
  parseQuery,
} from "./parse-query";
