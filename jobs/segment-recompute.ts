/**
 * Nightly: recompute every customer's RFM segment from the running totals
 * (services/segments/segments.ts), so `segments`, movements and promotions by segment
 * read fresh data. It runs hourly and acts once per local day (after 02:00 in
 * the shop's zone, when the previous run is older than that day's 02:00);
 * the service's own lease keeps two workers from computing at once.
 */
import { DateTime } from 'luxon';
import { latestRun, recomputeSegments, RecomputeBusyError } from '../src/services/segments/segments.js';
import type { JobDefinition } from './agenda.js';

/** The local 02:00 that the run at `now` is due for. */
export function dueSince(now: Date, zone: string): Date {
  const local = DateTime.fromJSDate(now).setZone(zone);
  const today = local.startOf('day').plus({ hours: 2 });
  return (local < today ? today.minus({ days: 1 }) : today).toJSDate();
}

export const segmentRecompute: JobDefinition = {
  name: 'segment-recompute',
  every: '1 hour',
  lockLifetime: 30 * 60_000,
  async run(job, deps) {
    const last = await latestRun();
    const since = dueSince(job.now, deps.config.DEFAULT_TIMEZONE);
    const lastAt = last?.at ?? undefined;
    if (lastAt && lastAt >= since) return;
    try {
      const result = await recomputeSegments(job.now, { baseCurrency: deps.config.BASE_CURRENCY });
      deps.log.info({ customers: result.customers, moved: result.moved, ms: result.durationMs }, 'segments recomputed');
    } catch (error) {
      if (error instanceof RecomputeBusyError) return; // another worker is on it
      throw error;
    }
  },
};
