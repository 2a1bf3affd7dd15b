/**
 * Every 15 minutes: if today's totals snapshot (shop zone) is missing, take
 * it — one projected pass over customers, summing their running totals — so
 * the digest can tell orders and revenue per day and per week without
 * reading orders. Normally it is taken in the first minutes after local
 * midnight; insert-or-skip on `day:<date>` keeps it to one per day even when
 * two workers race (both scan, one insert wins).
 */
import { takeDaySnapshot } from '../src/services/digest/data.js';
import type { JobDefinition } from './agenda.js';

export const totalsSnapshot: JobDefinition = {
  name: 'totals-snapshot',
  every: '15 minutes',
  lockLifetime: 10 * 60_000,
  async run(job, deps) {
    const taken = await takeDaySnapshot(job.now, deps.config, () => job.touch());
    if (taken) deps.log.info({ at: job.now }, 'totals snapshot taken');
  },
};
