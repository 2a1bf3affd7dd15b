/**
 * Hourly, two safety nets:
 * 1. A new lead (no orders, created within the last {@link NEW_LEAD_WINDOW_DAYS}
 *    days) with an owner and no interaction for `AUTO_FOLLOWUP_DAYS` gets one
 *    follow-up for its owner, due now — once: `_id: auto:lead:<customerId>`.
 * 2. A complaint that no reply reached the customer after within `COMPLAINT_ALERT_HOURS`
 *    (a note does not count: it never leaves the shop) alerts support again (owners/managers when there is no support staff) —
 *    once per complaint and person: `sendToStaffOnce` key `complaint-alert:<interactionId>:<staffId>`.
 *
 * Both speak to staff in each reader's language (their `lang`, else the shop's:
 * src/services/recipient-language.ts). A follow-up's own text is stored in the
 * shop's language and written again in its reader's when shown (src/views/follow-up-text.ts).
 *
 * What counts as quiet or unanswered is src/services/needs-attention.ts: one
 * streaming pass plus one batched query per 500 items, never a query per item.
 */
import { messagesFor } from '../src/core/messages.js';
import { text } from '../src/core/types.js';
import { truncate } from '../src/views/customers.js';
import { createFollowUp } from '../src/services/follow-ups.js';
import { quietNewLeads, unansweredComplaints } from '../src/services/needs-attention.js';
import { staffLanguageOf } from '../src/services/recipient-language.js';
import { complaintHandlers, type StaffMember } from '../src/services/staff-notices.js';

import type { Deps } from '../src/core/command.js';
import type { JobDefinition, JobRun } from './agenda.js';
import { sendToStaffOnce } from './context.js';

/** How far back a lead still counts as new (older ones without contact are the digest's business). */
export const NEW_LEAD_WINDOW_DAYS = 30;
/** How far back unanswered complaints are still chased. */
export const COMPLAINT_WINDOW_DAYS = 14;
const DAY = 86_400_000;

export const autoFollowUps: JobDefinition = {
  name: 'auto-follow-ups',
  every: '1 hour',
  lockLifetime: 15 * 60_000,
  async run(job, deps) {
    const leads = await followUpQuietLeads(job, deps);
    const complaints = await alertUnansweredComplaints(job, deps);
    deps.log.info({ leads, complaints }, 'auto follow-ups');
  },
};

/** Creates follow-ups for quiet new leads; returns how many were created. */
export async function followUpQuietLeads(job: JobRun, deps: Deps): Promise<number> {
  const days = deps.config.AUTO_FOLLOWUP_DAYS;
  const quietSince = new Date(job.now.getTime() - days * DAY);
  const createdSince = new Date(job.now.getTime() - NEW_LEAD_WINDOW_DAYS * DAY);
  // Stored for the record; the reminder and `followups` show it in their reader's language.
  const msg = messagesFor(deps.config.SHOP_LANGUAGE);
  let created = 0;
  for await (const leads of quietNewLeads({ createdSince, quietSince })) {
    for (const c of leads) {
      const result = await createFollowUp(
        { id: `auto:lead:${c._id}`, customerId: c._id, assigneeId: c.ownerId, dueAt: job.now, text: msg.followUp.autoLead(days), createdBy: 'auto', source: 'auto-lead' },
        job.now,
      );
      if (result.created) created++;
    }
    await job.touch();
  }
  return created;
}

/** Alerts support about complaints nobody answered in time; returns how many alerts went out. */
export async function alertUnansweredComplaints(job: JobRun, deps: Deps): Promise<number> {
  const hours = deps.config.COMPLAINT_ALERT_HOURS;
  const window = { from: new Date(job.now.getTime() - COMPLAINT_WINDOW_DAYS * DAY), to: new Date(job.now.getTime() - hours * 3_600_000) };
  let handlers: StaffMember[] | undefined;
  let alerts = 0;
  for await (const complaints of unansweredComplaints(window)) {
    handlers ??= await complaintHandlers();
    for (const complaint of complaints) {
      const ref = complaint.customerId;
      const alert = (member: StaffMember) => {
        const msg = messagesFor(staffLanguageOf(member, deps.config));
        return [
          text(msg.followUp.complaintAlert(ref, complaint.customerName || msg.noName(), hours, truncate(complaint.text, 500)), [
            [{ label: msg.openCustomerButton(), action: `customer ${ref}` }],
          ]),
        ];
      };
      const { sent } = await sendToStaffOnce(job, deps, { key: (s) => `complaint-alert:${complaint.id}:${s._id}`, kind: 'complaint-alert', staff: handlers, replies: alert });
      alerts += sent.length;
    }
    await job.touch();
  }
  return alerts;
}
