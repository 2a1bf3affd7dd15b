/**
 * Every 5 minutes: sends the weekly digest to each subscribed manager whose
 * local day and time has come (computed in their zone, so it stays at 09:00
 * local across DST), then moves their `nextRunAt` to the next occurrence.
 *
 * Once per manager and week: the send is `sendToStaffOnce` keyed
 * `digest:<staffId>:<slot ISO>`, the slot being the `nextRunAt` it ran for,
 * and only to active staff whose role may use the `digest` command (`MANAGERS`).
 * Two workers that both find the subscription due build the digest, one wins
 * the key. Each reader gets it in their language: their own `lang`, else `SHOP_LANGUAGE`. The slot is advanced after the send (a crash before that only
 * repeats a refused claim). After downtime the latest occurrence is used; one
 * more than {@link STALE_AFTER_MS} old is skipped rather than sent late.
 */
import { MANAGERS } from '../src/core/command.js';
import { messagesFor } from '../src/core/messages.js';
import type { Reply } from '../src/core/types.js';
import { renderDigest } from '../src/views/digest.js';
import { gatherDigest, type DigestData } from '../src/services/digest/data.js';
import { readerLanguage } from '../src/services/digest/reader.js';
import type { Language } from '../src/values/format.js';
import { nextDigestRun, type DigestSchedule } from '../src/services/digest/schedule.js';
import { advanceSubscription, dueSubscriptions } from '../src/services/digest/subscriptions.js';
import type { JobDefinition } from './agenda.js';
import { sendToStaffOnce, type StaffMember } from './context.js';

export const STALE_AFTER_MS = 12 * 3_600_000;

export const weeklyDigest: JobDefinition = {
  name: 'weekly-digest',
  every: '5 minutes',
  lockLifetime: 10 * 60_000,
  async run(job, deps) {
    const due = await dueSubscriptions(job.now);
    if (due.length === 0) return;
    // The same figures for everyone due in this run (weeks are shop days), gathered once, at the first
    // send not claimed yet, and written in each reader's language.
    let data: Promise<DigestData> | undefined;
    const rendered = new Map<Language, Reply[]>();
    const render = async (member: StaffMember) => {
      const lang = await readerLanguage(member._id, deps.config.SHOP_LANGUAGE);
      const replies = rendered.get(lang) ?? renderDigest(await (data ??= gatherDigest(job.now, deps.config, () => job.touch())), messagesFor(lang));
      rendered.set(lang, replies);
      return replies;
    };
    for (const sub of due) {
      const stored = sub.nextRunAt;
      // After downtime, catch up with the latest occurrence (one digest, not one per missed week).
      const slot = job.now.getTime() - stored.getTime() > STALE_AFTER_MS ? latestSlot(sub, job.now) : stored;
      let sent = false;
      if (job.now.getTime() - slot.getTime() <= STALE_AFTER_MS) {
        // Only to whom the `digest` command is allowed (MANAGERS, active); rendered only if not claimed yet.
        const result = await sendToStaffOnce(job, deps, { key: `digest:${sub._id}:${slot.toISOString()}`, kind: 'digest', staffIds: [sub._id], roles: MANAGERS, replies: render });
        sent = result.sent.length > 0;
      }
      const next = await advanceSubscription(sub, stored, job.now, sent);
      deps.log.info({ staffId: sub._id, slot, next, sent }, 'weekly digest');
    }
  },
};

/** The latest scheduled occurrence at or before `now` (there is one in every 8-day window). */
function latestSlot(schedule: DigestSchedule, now: Date): Date {
  let slot = nextDigestRun(schedule, new Date(now.getTime() - 8 * 86_400_000));
  for (let next = nextDigestRun(schedule, slot); next.getTime() <= now.getTime(); next = nextDigestRun(schedule, slot)) slot = next;
  return slot;
}
