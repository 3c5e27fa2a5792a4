/**
 * The test-only clock of jobs (runner.ts): real time plus an offset that a test moves forward,
 * so that a send-later time or a wake time is reached without sleeping. Given to a bridge as
 * `BridgeOptions.clock` (server.ts) by bridge tests and the e2e fixture (e2e/fixtures/stack.ts);
 * the bridge then gives it to its job runner and to the state store it opens. There is no
 * environment variable for it: a running Ferry always uses Date.now.
 */
export class TestClock {
  #offset = 0;

  /** Milliseconds since the epoch, `advance`d. */
  readonly now = (): number => Date.now() + this.#offset;

  /** Moves the clock forward by `ms` (never back: leases and due times assume it only grows). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`a test clock only moves forward: ${ms}`);
    this.#offset += ms;
  }

  /** Moves the clock forward to `at` (ms since the epoch) when it is earlier. */
  advanceTo(at: number): void {
    this.advance(Math.max(0, at - this.now()));
  }
}
