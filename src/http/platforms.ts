/**
 * Chat platforms start in the background, so an unreachable Telegram or Slack never holds up the
 * process: the HTTP server, the console and the jobs come up regardless, the failure is logged
 * within seconds (a warn line naming the platform and why), and the start is retried with
 * exponential backoff (1 s, 2 s, 4 s … capped at 5 minutes) until it succeeds. `/healthz` reports
 * each platform's state from {@link PlatformStates}.
 *
 * Each attempt gets an AbortSignal that fires at a deadline (10 s), so an API that accepts the
 * connection and never answers counts as a failure too — the adapters pass it on to their API
 * calls. An attempt that ignores the signal is abandoned at the deadline all the same.
 *
 * @example
 *   const states = new PlatformStates();
 *   const starting = keepStarting({ platform: 'telegram', start: (signal) => telegram.start(signal), states, log });
 *   // /healthz: { telegram: 'degraded: getMe: network error (ECONNREFUSED), next try at 2025-05-01T09:00:04Z' } … then { telegram: 'up' }
 *   starting.stop(); // on shutdown
 */
import type { Logger } from '../log.js';

/** `starting` until the first attempt ends, then `up`, or `degraded: <why>` while retrying. */
export type PlatformState = 'starting' | 'up' | `degraded: ${string}`;

/**
 * Each platform's start-up state, for `/healthz`.
 *
 * @example
 *   states.set('slack', 'up');
 *   states.report(); // { slack: 'up' }
 */
export class PlatformStates {
  private readonly states = new Map<string, PlatformState>();

  set(platform: string, state: PlatformState): void {
    this.states.set(platform, state);
  }

  get(platform: string): PlatformState | undefined {
    return this.states.get(platform);
  }

  /** `{ telegram: 'up', slack: 'degraded: …' }` — every platform that was started. */
  report(): Record<string, PlatformState> {
    return Object.fromEntries(this.states);
  }
}

export interface KeepStartingOptions {
  /** `telegram`, `slack`: names the platform in logs and in `/healthz`. */
  platform: string;
  /** One start attempt; resolves once the adapter is fully started (webhook registered, polling running). */
  start: (signal: AbortSignal) => Promise<void>;
  states: PlatformStates;
  log: Logger;
  /** Why an attempt failed, in a few words that are safe to log and to show on `/healthz` (no tokens, no URLs). */
  describe?: (error: unknown) => string;
  /** Delay before the second attempt; doubles after each failure. Default 1 s. */
  firstDelayMs?: number;
  /** The longest delay between attempts. Default 5 minutes. */
  maxDelayMs?: number;
  /** An attempt still running after this long is abandoned (and counted as a failure). Default 10 s. */
  attemptTimeoutMs?: number;
}

export interface Starting {
  /** Resolves `true` once started, `false` if stopped first. Never rejects. */
  readonly started: Promise<boolean>;
  /** Stops retrying and aborts the running attempt. */
  stop(): void;
}

/** Backoff defaults: see the module comment. */
export const START_BACKOFF = Object.freeze({ firstDelayMs: 1000, maxDelayMs: 5 * 60 * 1000, attemptTimeoutMs: 10_000 });

/**
 * Runs `start` until it succeeds, in the background; see the module comment. The first attempt
 * begins at once.
 */
export function keepStarting(options: KeepStartingOptions): Starting {
  const { platform, states, log } = options;
  const firstDelayMs = options.firstDelayMs ?? START_BACKOFF.firstDelayMs;
  const maxDelayMs = options.maxDelayMs ?? START_BACKOFF.maxDelayMs;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? START_BACKOFF.attemptTimeoutMs;
  // By default only the error's kind: a message may quote a URL, and Telegram's carry the token.
  const describe = options.describe ?? ((error: unknown) => networkErrorCode(error) ?? (error instanceof Error ? error.name : 'error'));
  const stopping = new AbortController();
  states.set(platform, 'starting');

  async function run(): Promise<boolean> {
    let delayMs = firstDelayMs;
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      const deadline = AbortSignal.any([stopping.signal, AbortSignal.timeout(attemptTimeoutMs)]);
      try {
        await untilAborted(options.start(deadline), deadline);
        states.set(platform, 'up');
        log.info({ platform, attempt }, `${platform}: started`);
        return true;
      } catch (error) {
        if (stopping.signal.aborted) return false;
        const reason = deadline.aborted ? `no answer within ${duration(attemptTimeoutMs)}` : describe(error);
        const nextTry = new Date(Date.now() + delayMs).toISOString().replace(/\.\d+Z$/, 'Z');
        states.set(platform, `degraded: ${reason}, next try at ${nextTry}`);
        log.warn({ platform, attempt, reason, retryInMs: delayMs }, `${platform}: could not start (${reason}); retrying in ${duration(delayMs)}`);
      }
      await sleep(delayMs, stopping.signal);
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
    return false;
  }

  return {
    started: run().catch((error: unknown) => {
      // Only a bug in this loop gets here; the platform stays degraded rather than the process crashing.
      log.error({ err: error, platform }, `${platform}: start-up loop failed`);
      return false;
    }),
    stop: () => stopping.abort(),
  };
}

/** `300 ms`, `4 s`, `5 min`. */
function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

/**
 * `work`, or a rejection as soon as `signal` aborts (the work itself may go on; its outcome is
 * then ignored). For a start attempt whose calls cannot all be aborted.
 *
 * @example
 *   await untilAborted(app.init(), signal);
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const aborted = () => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * The code of a network failure (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, `aborted`…) found in an
 * error or its causes, or `undefined`. A start-up failure is described by it rather than by the
 * error's message, which may quote the request URL — and Telegram's URLs carry the bot token.
 *
 * @example
 *   networkErrorCode(new TypeError('fetch failed', { cause: Object.assign(new Error('…'), { code: 'ECONNREFUSED' }) })) // → 'ECONNREFUSED'
 */
export function networkErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const { code, type, name } = e as { code?: unknown; type?: unknown; name?: unknown };
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    if (type === 'aborted' || name === 'AbortError' || name === 'TimeoutError') return 'aborted';
    e = (e as { cause?: unknown; error?: unknown; original?: unknown }).cause ?? (e as { error?: unknown }).error ?? (e as { original?: unknown }).original;
  }
  return undefined;
}

/** Waits `ms` (an unref'd timer: it never keeps the process alive), or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
