/**
 * Runs `fn` when the page is next idle (requestIdleCallback, at the latest after `timeoutMs`;
 * a short timer where the browser has no idle callbacks, as Safari). Returns the cancel.
 */
export function whenIdle(fn: () => void, timeoutMs = 2000): () => void {
  if (typeof requestIdleCallback === "function") {
    const handle = requestIdleCallback(fn, { timeout: timeoutMs });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(fn, 200);
  return () => clearTimeout(timer);
}
