/**
 * Hourly, two safety nets:
 * 1. A new lead (no orders, created within the last {@link NEW_LEAD_WINDOW_DAYS}
 *    days) with an owner and no interaction for `AUTO_FOLLOWUP_DAYS` gets one
 *    follow-up for its owner, due now — once: `_id: auto:lead:<customerId>`.
 * 2. A complaint with no staff reply or note after `COMPLAINT_ALERT_HOURS`
 *    alerts support again (owners/managers when there is no support staff) —
 *    once per complaint and person: `sendOnce` key `complaint-alert:<interactionId>:<staffId>`.
 *
 * Both read with one streaming cursor plus one batched query per 500 items, never a query per item.
 */
import type { Types } from 'mongoose';
import { Customer } from '../models/customer.js';
import { Interaction } from '../models/interaction.js';
import { messagesFor } from '../src/core/messages.js';
import { text } from '../src/core/types.js';
import { truncate } from '../src/views/customers.js';
import { createFollowUp } from '../src/services/follow-ups.js';
import { sendOnce } from '../src/services/outbox.js';
import { staffWithRoles } from '../src/services/people.js';

import type { Deps } from '../src/core/command.js';
import type { JobDefinition, JobRun } from './agenda.js';

/** How far back a lead still counts as new (older ones without contact are the digest's business). */
export const NEW_LEAD_WINDOW_DAYS = 30;
/** How far back unanswered complaints are still chased. */
export const COMPLAINT_WINDOW_DAYS = 14;
const BATCH = 500;
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
  const msg = messagesFor(undefined);
  let created = 0;
  const cursor = Customer.find(
    { status: 'active', 'totals.orders': 0, createdAt: { $gte: new Date(job.now.getTime() - NEW_LEAD_WINDOW_DAYS * DAY), $lte: quietSince } },
    { ownerId: 1 },
  )
    .lean<{ _id: string; ownerId?: string }[]>()
    .cursor({ batchSize: BATCH });
  let batch: { _id: string; ownerId: string }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const recent = await Interaction.find({ customerId: { $in: batch.map((c) => c._id) }, at: { $gt: quietSince } }, { customerId: 1 }).lean<{ customerId: string }[]>();
    const active = new Set(recent.map((i) => i.customerId));
    for (const c of batch) {
      if (active.has(c._id)) continue;
      const result = await createFollowUp(
        { id: `auto:lead:${c._id}`, customerId: c._id, assigneeId: c.ownerId, dueAt: job.now, text: msg.followUp.autoLead(days), createdBy: 'auto', source: 'auto-lead' },
        job.now,
      );
      if (result.created) created++;
    }
    batch = [];
    await job.touch();
  };
  for await (const c of cursor) {
    if (!c.ownerId) continue;
    batch.push({ _id: c._id, ownerId: c.ownerId });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return created;
}

/** Alerts support about complaints nobody answered in time; returns how many alerts went out. */
export async function alertUnansweredComplaints(job: JobRun, deps: Deps): Promise<number> {
  const hours = deps.config.COMPLAINT_ALERT_HOURS;
  const dueBefore = new Date(job.now.getTime() - hours * 3_600_000);
  const complaints = await Interaction.find(
    { kind: 'complaint', at: { $gte: new Date(job.now.getTime() - COMPLAINT_WINDOW_DAYS * DAY), $lte: dueBefore } },
    { customerId: 1, at: 1, text: 1 },
  ).lean<{ _id: Types.ObjectId; customerId: string; at: Date; text: string }[]>();
  if (complaints.length === 0) return 0;
  const msg = messagesFor(undefined);
  let support = await staffWithRoles(['support']);
  if (support.length === 0) support = await staffWithRoles(['owner', 'manager']);
  let alerts = 0;
  for (let i = 0; i < complaints.length; i += BATCH) {
    const slice = complaints.slice(i, i + BATCH);
    const ids = [...new Set(slice.map((c) => c.customerId))];
    const earliest = new Date(Math.min(...slice.map((c) => c.at.getTime())));
    const [answers, customers] = await Promise.all([
      Interaction.find({ customerId: { $in: ids }, kind: { $in: ['reply', 'note'] }, at: { $gte: earliest } }, { customerId: 1, at: 1 }).lean<{ customerId: string; at: Date }[]>(),
      Customer.find({ _id: { $in: ids } }, { name: 1 }).lean<{ _id: string; name: string }[]>(),
    ]);
    const lastAnswer = new Map<string, number>();
    for (const a of answers) lastAnswer.set(a.customerId, Math.max(lastAnswer.get(a.customerId) ?? 0, a.at.getTime()));
    const nameOf = new Map(customers.map((c) => [c._id, c.name]));
    for (const complaint of slice) {
      if ((lastAnswer.get(complaint.customerId) ?? 0) >= complaint.at.getTime()) continue;
      const ref = complaint.customerId;
      const reply = text(msg.followUp.complaintAlert(ref, nameOf.get(complaint.customerId) || msg.noName(), hours, truncate(complaint.text, 500)), [
        [{ label: msg.openCustomerButton(), action: `customer ${ref}` }],
      ]);
      for (const s of support) {
        const result = await sendOnce({
          key: `complaint-alert:${String(complaint._id)}:${s._id}`,
          kind: 'complaint-alert',
          to: { kind: 'staff', staffId: s._id },
          replies: [reply],
          notifier: deps.notifier,
          now: job.now,
          by: job.worker,
        });
        if (result.status === 'sent') alerts++;
      }
    }
    await job.touch();
  }
  return alerts;
}
