/**
 * The English message catalog: every string a user sees. A translation is another file with the
 * same keys (typed as `Catalog`). `{name}` is replaced by a parameter; numbers are formatted with
 * the browser's locale. An entry with plural forms is picked with `Intl.PluralRules` on `count`.
 * The entries are written by area in en-areas/*.ts and put together here.
 */
import app from "./en-areas/app";
import compose from "./en-areas/compose";
import errors from "./en-areas/errors";
import folders from "./en-areas/folders";
import list from "./en-areas/list";
import reader from "./en-areas/reader";
import rules from "./en-areas/rules";
import settings from "./en-areas/settings";
import status from "./en-areas/status";
export type PluralForms = {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
};
export type Message = string | PluralForms;

const en = {
  ...app,
  ...folders,
  ...list,
  ...reader,
  ...status,
  ...compose,
  ...settings,
  ...rules,
  ...errors,
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;
/** A translation: every key of the English catalog. */
export type Catalog = Record<MessageKey, Message>;

export default en satisfies Catalog;
