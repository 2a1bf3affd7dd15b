/**
 * Sliding-window rate limiter keyed by an arbitrary string (e.g. "global" or a chat id).
 *
 * Why: Telegram (~30 msg/s per bot, ~1 msg/s per chat) and Slack (~1 msg/s per channel) throttle
 * with rolling windows; the emulators reproduce that so retry/throttle code paths get exercised.
 * A limit of 0 or less disables the check for that call.
 *
 * @example
 * const limiter = new SlidingWindowLimiter(1000);
 * if (limiter.waitMs('chat:1', 1) === 0) limiter.hit('chat:1'); // allowed, counted
 * limiter.waitMs('chat:1', 1); // > 0: ms until the oldest hit leaves the window
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly windowMs = 1000) {}

  /**
   * Returns 0 when one more hit under `key` fits into `limit` per window, otherwise the number of
   * milliseconds until it would fit.
   */
  waitMs(key: string, limit: number, now = Date.now()): number {
    if (limit <= 0) return 0;
    const window = this.prune(key, now);
    if (window.length < limit) return 0;
    // The hit that must expire for a slot to free up.
    const blocking = window[window.length - limit] ?? now;
    return Math.max(1, blocking + this.windowMs - now);
  }

  /** Counts one hit under `key`. */
  hit(key: string, now = Date.now()): void {
    const window = this.prune(key, now);
    window.push(now);
  }

  /** Forgets every recorded hit. */
  reset(): void {
    this.hits.clear();
  }

  private prune(key: string, now: number): number[] {
    let window = this.hits.get(key);
    if (!window) {
      window = [];
      this.hits.set(key, window);
    }
    while (window.length > 0 && (window[0] ?? 0) <= now - this.windowMs) window.shift();
    return window;
  }
}

/**
 * Converts a wait in milliseconds to the whole seconds the platforms report (`retry_after`,
 * `Retry-After`): rounded up, at least 1.
 *
 * @example
 * retryAfterSeconds(250) // 1
 * retryAfterSeconds(1200) // 2
 */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
