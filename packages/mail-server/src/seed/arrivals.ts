// "Mail arriving now and then" for the demo and live-update tests. Owns: a timer loop that
// generates a fresh INBOX message (dated now, unseen, no delivery headers) every interval and hands
// it to the fixture's LMTP `deliver()`. One delivery is in flight at a time; the returned stop
// function cancels the timer and waits for a delivery that is already under way.

import type { MailServer } from "../index";
import { createArrivalFactory, type GeneratedMessage, type Owner } from "./generate";

export interface ArrivalOptions {
  seed: number;
  intervalMs: number;
  /** display name of the recipient (default: derived from the address) */
  ownerName?: string;
  /** called after each successful delivery */
  onDelivered?: (message: GeneratedMessage, count: number) => void;
  /** called when a delivery fails; the loop keeps going (default: console.error) */
  onError?: (err: unknown) => void;
  /** clock, for tests (default Date.now) */
  now?: () => number;
}

export type StopArrivals = () => Promise<void>;

/** "alice.smith@x" → "Alice Smith". */
export function nameFromEmail(email: string): string {
  const local = email.slice(0, Math.max(0, email.indexOf("@"))) || email;
  return local
    .split(/[._+-]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");
}

export function createArrivals(
  server: Pick<MailServer, "deliver">,
  email: string,
  opts: ArrivalOptions,
): StopArrivals {
  const owner: Owner = { name: opts.ownerName ?? nameFromEmail(email), email };
  const make = createArrivalFactory(opts.seed, owner);
  const now = opts.now ?? Date.now;
  const onError =
    opts.onError ??
    ((err: unknown) => {
      console.error("[seed] arrival delivery failed:", err);
    });
  let stopped = false;
  let count = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<void> = Promise.resolve();

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const index = count++;
    const message = make(index, Math.floor(now() / 1000) * 1000);
    current = server
      .deliver(message.raw, { from: message.from, to: [email] })
      .then(
        () => opts.onDelivered?.(message, index + 1),
        (err: unknown) => onError(err),
      )
      .catch((err: unknown) => onError(err))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, opts.intervalMs);
      });
  };

  timer = setTimeout(tick, opts.intervalMs);
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    await current;
  };
}
