/**
 * Every minute: remind assignees of follow-ups that fell due, once per due
 * time, with buttons Done / Snooze 1 h / Snooze 1 day / Open customer.
 *
 * Exactly-once in practice, at-most-once by construction: each reminder is
 * `sendOnce` keyed `reminder:<id>:<dueAt ms>` (a snooze moves dueAt, so it
 * gets a fresh reminder). Two workers running this at the same moment both
 * find the follow-up; only the one whose key insert wins sends. `remindedAt`
 * is written after the send (or after losing the claim), so later scans skip
 * it; a crash before that write only costs one more (duplicate-refused) claim.
 *
 * FerretDB scans the follow-ups collection for the due query; that is fine at
 * this size (open follow-ups number in the thousands, not millions).
 */
import { Customer } from '../models/customer.js';
import { Staff } from '../models/staff.js';
import { messagesFor } from '../src/core/messages.js';
import { text } from '../src/core/types.js';
import { followUpButtons, formatDue } from '../src/views/follow-ups.js';
import { dueForReminder, markReminded } from '../src/services/follow-ups.js';
import { sendOnce } from '../src/services/outbox.js';

import type { JobDefinition } from './agenda.js';

export const followUpReminders: JobDefinition = {
  name: 'follow-up-reminders',
  every: '1 minute',
  lockLifetime: 5 * 60_000,
  async run(job, deps) {
    const due = await dueForReminder(job.now);
    if (due.length === 0) return;
    const msg = messagesFor(undefined);
    const [staff, customers] = await Promise.all([
      Staff.find({ _id: { $in: [...new Set(due.map((f) => f.assigneeId))] } }, { timeZone: 1, active: 1 }).lean<{ _id: string; timeZone: string; active: boolean }[]>(),
      Customer.find({ _id: { $in: [...new Set(due.map((f) => f.customerId))] } }, { name: 1 }).lean<{ _id: string; name: string }[]>(),
    ]);
    const zoneOf = new Map(staff.map((s) => [s._id, s.timeZone]));
    const nameOf = new Map(customers.map((c) => [c._id, c.name]));
    let sent = 0;
    for (const f of due) {
      const zone = zoneOf.get(f.assigneeId) ?? deps.config.DEFAULT_TIMEZONE;
      const reply = text(
        msg.followUp.reminder(f.customerId, nameOf.get(f.customerId) || msg.noName(), f.text, formatDue(f.dueAt, zone)),
        followUpButtons(f._id, f.customerId, msg),
      );
      const result = await sendOnce({
        key: `reminder:${f._id}:${f.dueAt.getTime()}`,
        kind: 'follow-up-reminder',
        to: { kind: 'staff', staffId: f.assigneeId },
        replies: [reply],
        notifier: deps.notifier,
        now: job.now,
        by: job.worker,
      });
      if (result.status === 'sent') sent++;
      if (result.status === 'failed') deps.log.warn({ followUp: f._id, reason: result.reason }, 'follow-up reminder not delivered');
      await markReminded(f._id, f.dueAt, job.now);
    }
    deps.log.info({ due: due.length, sent }, 'follow-up reminders');
  },
};
