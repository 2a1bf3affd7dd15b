/**
 * Every minute: remind assignees of follow-ups that fell due, once per due
 * time, with buttons Done / Snooze 1 h / Snooze 1 day / Open customer.
 *
 * Exactly-once in practice, at-most-once by construction: each reminder goes
 * through `sendToStaffOnce` (jobs/context.ts) keyed `reminder:<id>:<dueAt ms>`
 * (a snooze moves dueAt, so it gets a fresh reminder); an assignee who is no
 * longer active staff is not reminded. Two workers running this at the same moment both
 * find the follow-up; only the one whose key insert wins sends. `remindedAt`
 * is written after the send (or after losing the claim), so later scans skip
 * it; a crash before that write only costs one more (duplicate-refused) claim.
 *
 * Each reminder is written in its assignee's language (their `lang`, else the
 * shop's `SHOP_LANGUAGE`: src/services/recipient-language.ts) and their time zone.
 *
 * FerretDB scans the follow-ups collection for the due query; that is fine at
 * this size (open follow-ups number in the thousands, not millions).
 */
import { messagesFor } from '../src/core/messages.js';
import { text } from '../src/core/types.js';
import { followUpButtons, formatDue } from '../src/views/follow-ups.js';
import { followUpText } from '../src/views/follow-up-text.js';
import { customersById } from '../src/services/contacts.js';
import { dueForReminder, markReminded } from '../src/services/follow-ups.js';
import { staffLanguageOf } from '../src/services/recipient-language.js';
import { staffById } from '../src/services/staff-notices.js';

import type { JobDefinition } from './agenda.js';
import { sendToStaffOnce } from './context.js';

export const followUpReminders: JobDefinition = {
  name: 'follow-up-reminders',
  every: '1 minute',
  lockLifetime: 5 * 60_000,
  async run(job, deps) {
    const due = await dueForReminder(job.now);
    if (due.length === 0) return;
    const [assignees, customers] = await Promise.all([staffById(due.map((f) => f.assigneeId)), customersById(due.map((f) => f.customerId), { name: 1 })]);
    let sent = 0;
    for (const f of due) {
      const assignee = assignees.get(f.assigneeId);
      const msg = messagesFor(staffLanguageOf(assignee, deps.config));
      const when = formatDue(f.dueAt, assignee?.timeZone || deps.config.DEFAULT_TIMEZONE);
      const body = followUpText(f, msg, deps.config.AUTO_FOLLOWUP_DAYS);
      const reply = text(msg.followUp.reminder(f.customerId, customers.get(f.customerId)?.name || msg.noName(), body, when), followUpButtons(f._id, f.customerId, msg));
      const result = await sendToStaffOnce(job, deps, {
        key: `reminder:${f._id}:${f.dueAt.getTime()}`,
        kind: 'follow-up-reminder',
        staff: assignee ? [assignee] : [],
        replies: [reply],
      });
      sent += result.sent.length;
      await markReminded(f._id, f.dueAt, job.now);
    }
    deps.log.info({ due: due.length, sent }, 'follow-up reminders');
  },
};
