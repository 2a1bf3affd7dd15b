/**
 * Hourly housekeeping that TTL indexes would do on MongoDB (FerretDB v1
 * refuses them): what has expired is removed by `cleanUpExpired`
 * (src/services/housekeeping.ts). Deleting is idempotent, so two workers
 * running it at once is harmless.
 */
import { cleanUpExpired } from '../src/services/housekeeping.js';
import type { JobDefinition } from './agenda.js';

export const cleanup: JobDefinition = {
  name: 'cleanup',
  every: '1 hour',
  lockLifetime: 10 * 60_000,
  async run(job, deps) {
    const removed = await cleanUpExpired(job.now);
    deps.log.info(removed, 'cleanup done');
  },
};
