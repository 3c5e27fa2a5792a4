/**
 * imapflow's `exec()`, which runs a raw command the library has no API for (SORT, THREAD): the
 * floors use it as the bridge does, and fail clearly if a future imapflow drops it.
 */
export interface ExecClient {
  exec(
    command: string,
    attributes: unknown[],
    opts: { untagged: Record<string, (u: { attributes?: unknown[] }) => Promise<void>> },
  ): Promise<{ next(): void }>;
}

export function hasExec(client: object): client is ExecClient {
  return typeof (client as { exec?: unknown }).exec === "function";
}
