/**
 * `t` for the page's first load (the splash, the sign-in page, the theme toggle): the same
 * lookup as index.ts over en-start.ts, the part of the catalog those show, so the whole catalog
 * is not in the first load. Everything the mailbox shows uses index.ts.
 */
import { fill, type Params } from "./core";
import start, { type StartKey } from "./en-start";

export { formatWait } from "./core";
export type { StartKey } from "./en-start";

/** The catalog text for `key`, with `{name}` replaced by `params.name` (numbers localised). */
export function t(key: StartKey, params: Params = {}): string {
  return fill(start[key], params);
}
