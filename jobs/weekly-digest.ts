/**
 * Every 5 minutes: sends the weekly digest to each subscribed manager whose
 * local day and time has come (computed in their zone, so it stays at 09:00
 * local across DST), then moves their `nextRunAt` to the next occurrence.
 *
 * Once per manager and week: the send is `sendOnce` keyed
 * `digest:<staffId>:<slot ISO>`, the slot being the `nextRunAt` it ran for.
 * Two workers that both find the subscription due build the digest, one wins
 * the key. The slot is advanced after the send (a crash before that only
 * repeats a refused claim). After downtime the latest occurrence is used; one
 * more than {@link STALE_AFTER_MS} old is skipped rather than sent late.
 */
import { Staff } from '../models/staff.js';
import { messagesFor } from '../src/core/messages.js';
import type { Reply } from '../src/core/types.js';
import { renderDigest } from '../src/views/digest.js';
import { gatherDigest } from '../src/services/digest/data.js';
import { nextDigestRun } from '../src/services/digest/schedule.js';
import { advanceSubscription, dueSubscriptions } from '../src/services/digest/subscriptions.js';
import type { DigestSubscriptionDoc } from '../models/digest-subscription.js';
import { sendOnce, wasClaimed } from '../src/services/outbox.js';
import type { JobDefinition } from './agenda.js';

export const STALE_AFTER_MS = 12 * 3_600_000;

export const weeklyDigest: JobDefinition = {
  name: 'weekly-digest',
  every: '5 minutes',
  lockLifetime: 10 * 60_000,
  async run(job, deps) {
    const due = await dueSubscriptions(job.now);
    if (due.length === 0) return;
    const staff = await Staff.find({ _id: { $in: due.map((s) => s._id) } }, { role: 1, active: 1 }).lean<{ _id: string; role: string; active: boolean }[]>();
    const allowed = new Set(staff.filter((s) => s.active && (s.role === 'owner' || s.role === 'manager')).map((s) => s._id));
    let replies: Reply[] | undefined; // the same digest for everyone due in this run (weeks are shop days)
    for (const sub of due) {
      const stored = sub.nextRunAt;
      // After downtime, catch up with the latest occurrence (one digest, not one per missed week).
      const slot = job.now.getTime() - stored.getTime() > STALE_AFTER_MS ? latestSlot(sub, job.now) : stored;
      const key = `digest:${sub._id}:${slot.toISOString()}`;
      let sent = false;
      if (allowed.has(sub._id) && job.now.getTime() - slot.getTime() <= STALE_AFTER_MS && !(await wasClaimed(key))) {
        replies ??= renderDigest(await gatherDigest(job.now, deps.config, () => job.touch()), messagesFor(undefined));
        const result = await sendOnce({ key, kind: 'digest', to: { kind: 'staff', staffId: sub._id }, replies, notifier: deps.notifier, now: job.now, by: job.worker });
        sent = result.status === 'sent';
        if (result.status === 'failed') deps.log.warn({ staffId: sub._id, reason: result.reason }, 'digest not delivered');
      }
      const next = await advanceSubscription(sub, stored, job.now, sent);
      deps.log.info({ staffId: sub._id, slot, next, sent }, 'weekly digest');
    }
  },
};

/** The latest scheduled occurrence at or before `now` (there is one in every 8-day window). */
function latestSlot(sub: DigestSubscriptionDoc, now: Date): Date {
  const schedule = { day: sub.day, time: sub.time, timeZone: sub.timeZone };
  let slot = nextDigestRun(schedule, new Date(now.getTime() - 8 * 86_400_000));
  for (let next = nextDigestRun(schedule, slot); next.getTime() <= now.getTime(); next = nextDigestRun(schedule, slot)) slot = next;
  return slot;
}
