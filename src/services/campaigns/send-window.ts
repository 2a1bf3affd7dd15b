/**
 * How many promotion sends a drain keeps in flight: just enough to keep the
 * platform sender busy, and no more — because every send in flight when the
 * process dies is *uncertain* (its mark is written, its outcome is not), and a
 * send waiting in the sender's throttler queue is in flight as far as the
 * drain can tell. With a fixed 64 in flight behind a 30 messages/s throttler,
 * a kill left ~60 uncertain sends, nearly all still queued and never called.
 *
 * The rule is TCP Vegas's: the sends beyond what the sender can move at once
 * only wait in its queue, and their number is estimated from round-trip times
 * as `inFlight × (1 − baseRtt / rtt)`, where `baseRtt` is the time a send
 * takes when nothing waits before it. Once per round (about one round trip)
 * the window grows by one while fewer than {@link QUEUE_LOW} sends wait, and
 * shrinks while more than {@link QUEUE_HIGH} do; it starts by doubling. So the
 * window settles at "rate × latency + a couple": behind Telegram's 30/s with
 * 100 ms calls, about 5 instead of 64, at the same rate.
 *
 * `baseRtt` is re-measured every {@link PROBE_EVERY_MS}: the window drops to
 * {@link PROBE_WINDOW} until the sends ahead have finished, and the next sends
 * — which nothing waits before — give the new value (as BBR's ProbeRTT does;
 * without it, a queue that never empties would pass for latency).
 *
 * Pure bookkeeping, no timers: the drain calls {@link SendWindow.done} when a
 * send returns and asks {@link SendWindow.limit} before starting one.
 *
 * @example
 *   const window = new SendWindow(64);
 *   if (inFlight < window.limit()) { const t = window.now(); await send(); window.done(t, --inFlight); }
 */
import { performance } from 'node:perf_hooks';

/** Sends allowed to wait in the sender's queue before the window grows no more / shrinks. */
export const QUEUE_LOW = 1;
export const QUEUE_HIGH = 3;
/** The smallest window, also while `baseRtt` is measured. */
export const PROBE_WINDOW = 2;
/** How often `baseRtt` is measured again. */
export const PROBE_EVERY_MS = 10_000;
/** Shortest round: below it, timer and event-loop noise would drive the window. */
const MIN_ROUND_MS = 5;
/** Sends measured before the probe ends. */
const PROBE_SAMPLES = 4;

export class SendWindow {
  private size: number;
  private slowStart = true;
  private baseRtt = Infinity;
  private roundStart: number;
  private roundSends = 0;
  private roundRtt = 0;
  private roundInFlight = 0;
  private nextProbeAt: number;
  /** During a probe: when the queue was empty (sends started after it measure `baseRtt`), and what they measured. */
  private probe: { emptySince?: number; samples: number[] } | undefined;

  /**
   * @param max the most sends in flight ever (the drain's `concurrency`)
   * @param clock milliseconds, monotonic (tests pass their own)
   */
  constructor(
    private readonly max: number,
    readonly now: () => number = () => performance.now(),
  ) {
    this.size = Math.min(max, 2 * PROBE_WINDOW);
    this.roundStart = now();
    this.nextProbeAt = this.roundStart + PROBE_EVERY_MS;
  }

  /** How many sends may be in flight now. */
  limit(): number {
    return this.probe ? Math.min(PROBE_WINDOW, this.size) : this.size;
  }

  /**
   * A send started at `startedAt` (from {@link now}) has returned; `inFlight` is how many are
   * still out. Adjusts the window once per round.
   */
  done(startedAt: number, inFlight: number): void {
    const at = this.now();
    const rtt = Math.max(0.01, at - startedAt);
    if (this.probe) {
      this.probeSample(startedAt, rtt, inFlight, at);
      return;
    }
    this.roundSends++;
    this.roundRtt += rtt;
    this.roundInFlight += inFlight + 1;
    const meanRtt = this.roundRtt / this.roundSends;
    if (at - this.roundStart < Math.max(meanRtt, MIN_ROUND_MS)) return;
    // The best round so far is the base: a round's mean, not one lucky send, so timer and event-loop
    // jitter do not pass for queueing.
    this.baseRtt = Math.min(this.baseRtt, meanRtt);
    const meanInFlight = this.roundInFlight / this.roundSends;
    const queued = meanInFlight * (1 - this.baseRtt / meanRtt);
    if (queued < QUEUE_LOW) {
      // Only grow a window that was used: a drain short of work says nothing about the sender.
      if (meanInFlight >= this.size - 1) this.size = Math.min(this.max, this.slowStart ? this.size * 2 : this.size + 1);
    } else {
      this.slowStart = false;
      if (queued > 2 * QUEUE_HIGH) this.size = Math.max(PROBE_WINDOW, Math.ceil(meanInFlight - queued + QUEUE_HIGH));
      else if (queued > QUEUE_HIGH) this.size = Math.max(PROBE_WINDOW, this.size - 1);
    }
    this.newRound(at);
    if (at >= this.nextProbeAt) this.probe = { samples: [] };
  }

  private probeSample(startedAt: number, rtt: number, inFlight: number, at: number): void {
    const probe = this.probe!;
    if (probe.emptySince !== undefined && startedAt >= probe.emptySince) probe.samples.push(rtt);
    else if (probe.emptySince === undefined && inFlight < PROBE_WINDOW) probe.emptySince = at;
    if (probe.samples.length < PROBE_SAMPLES) return;
    this.baseRtt = probe.samples.reduce((a, b) => a + b, 0) / probe.samples.length;
    this.probe = undefined;
    this.nextProbeAt = at + PROBE_EVERY_MS;
    this.newRound(at);
  }

  private newRound(at: number): void {
    this.roundStart = at;
    this.roundSends = 0;
    this.roundRtt = 0;
    this.roundInFlight = 0;
  }
}
