/**
 * The Origin allow-list, checked on state-changing API requests and on the socket upgrade
 * (CSRF and cross-site WebSocket hijacking defence, on top of SameSite=Strict cookies).
 */
export class OriginPolicy {
  readonly #allowed: Set<string>;

  constructor(origins: Iterable<string>) {
    this.#allowed = new Set(origins);
  }

  /** The default list: the bridge's own loopback origins on `port`. */
  static loopback(port: number): OriginPolicy {
    return new OriginPolicy([
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      `http://[::1]:${port}`,
    ]);
  }

  get origins(): string[] {
    return [...this.#allowed];
  }

  /** True for an Origin header on the list; a missing or "null" Origin is never allowed. */
  allows(origin: string | undefined): boolean {
    if (origin === undefined || origin === "null") return false;
    return this.#allowed.has(origin.toLowerCase().replace(/\/$/, ""));
  }
}
